/** Grouping helpers for the figures. */

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const g = groups.get(k)
    if (g) g.push(item)
    else groups.set(k, [item])
  }
  return groups
}

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length)

/** Rounds for data files: 6 significant digits, NaN as null. */
export function round(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null
}

/** "1 of 1 budget", "3 of 4 budgets". */
export function countOf(k: number, n: number, noun: string): string {
  return `${k} of ${n} ${noun}${n === 1 ? '' : 's'}`
}

/** "both lines", "all 3 lines", "all 5 sparse cells" (n ≥ 2). */
export function allOf(n: number, noun: string): string {
  return n === 2 ? `both ${noun}s` : `all ${n} ${noun}s`
}
