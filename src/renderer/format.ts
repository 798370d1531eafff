// Small display helpers shared by the views.

/** "64 × 64 × 48"; with `digits`, rounded and without trailing zeros ("0.8 × 0.8 × 1.25"). */
export function formatTriple(values: readonly number[], digits?: number): string {
  return values.map((v) => (digits === undefined ? String(v) : String(Number(v.toFixed(digits))))).join(' × ')
}

/** A stored ISO time as local "YYYY-MM-DD HH:MM", or only the date with `dateOnly`. */
export function formatCreated(iso: string, dateOnly = false): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number): string => String(n).padStart(2, '0')
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  return dateOnly ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** "1: 1 204 · 2: 980" — voxel counts per label value, background (0) left out. */
export function formatLabelVoxels(counts: Record<string, number>, names: Record<string, string> = {}): string {
  const parts = Object.entries(counts)
    .filter(([label]) => label !== '0')
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([label, count]) => `${names[label] ?? label}: ${count.toLocaleString('en-US')}`)
  return parts.length > 0 ? parts.join(' · ') : 'none'
}

/** A fraction such as ρ or s with at most `digits` decimals and no trailing zeros ("0.2", "0.539"). */
export function formatFraction(value: number, digits = 3): string {
  return String(Number(value.toFixed(digits)))
}

/** A signed percentage for a budget deviation ("+2.5 %", "−5 %", "0 %"). */
export function formatDeviation(value: number): string {
  const percent = Number((value * 100).toFixed(1))
  if (percent === 0) return '0 %'
  return `${percent > 0 ? '+' : '−'}${Math.abs(percent)} %`
}
