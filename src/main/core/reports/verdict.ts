/**
 * The rules every report sentence follows when it compares two things on paired data:
 * - the test is the two-sided Wilcoxon signed-rank test on the paired differences;
 * - the effect size is the median of the paired differences with a distribution-free 95 % interval (order
 *   statistics of the differences, binomial coverage ≥ 95 %; unbounded when n < 6, where no such interval exists);
 * - a side is named as higher or lower only when p < 0.05 and that interval excludes 0; otherwise, ties
 *   included, the sentence says "no difference detectable with n = N".
 */
import { wilcoxonOnDifferences } from '../stats/wilcoxon'

export type Verdict = 'higher' | 'lower' | 'none'

export interface Comparison {
  /** Pairs compared (zero differences included). */
  pairs: number
  /** Pairs with a non-zero difference (the test's n). */
  n: number
  statistic: number
  pValue: number
  method: 'exact' | 'normal'
  /** Median of the paired differences (first − second). */
  medianDifference: number
  /** 95 % interval of that median; null where n is too small for one (unbounded). */
  ciLow: number | null
  ciHigh: number | null
  /** Whether the first is detectably higher or lower than the second, or neither. */
  verdict: Verdict
}

const ALPHA = 0.05

/** Median of sorted values. */
function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length
  if (n === 0) return 0
  return n % 2 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2
}

/**
 * The largest k with P(Binomial(n, ½) ≤ k − 1) ≤ 2.5 %: [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎] then covers the median with
 * probability ≥ 95 %. 0 when no k works (n < 6). Exact up to n = 1000, the normal approximation beyond.
 */
export function medianIntervalRank(n: number): number {
  if (n > 1000) return Math.max(0, Math.floor(n / 2 - (1.959964 * Math.sqrt(n)) / 2))
  let pmf = 2 ** -n
  let cdf = 0
  let k = 0
  for (let i = 0; i <= n; i++) {
    cdf += pmf
    if (cdf > 0.025) break
    k = i + 1
    pmf = (pmf * (n - i)) / (i + 1)
  }
  return k
}

/** The paired comparison of first against second (differences first − second). */
export function comparePaired(differences: readonly number[]): Comparison {
  const w = wilcoxonOnDifferences(differences)
  const sorted = [...differences].sort((a, b) => a - b)
  const k = medianIntervalRank(sorted.length)
  const ciLow = k > 0 ? (sorted[k - 1] as number) : null
  const ciHigh = k > 0 ? (sorted[sorted.length - k] as number) : null
  const significant = w.n > 0 && w.pValue < ALPHA
  const verdict: Verdict = significant && ciLow !== null && ciLow > 0 ? 'higher' : significant && ciHigh !== null && ciHigh < 0 ? 'lower' : 'none'
  return { pairs: differences.length, n: w.n, statistic: w.statistic, pValue: w.pValue, method: w.method, medianDifference: medianOfSorted(sorted), ciLow, ciHigh, verdict }
}

/** A signed number with `digits` decimals: "+0.066", "−0.010". */
export function signed(x: number, digits: number): string {
  const s = Math.abs(x).toFixed(digits)
  return Number(s) === 0 ? s : `${x > 0 ? '+' : '−'}${s}`
}

/** A p-value in words. */
export function describeP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}

/** How a value is written in sentences: its decimals and unit ("IoU", "%"). */
export interface Unit {
  digits: number
  name: string
}

const withUnit = (x: number, unit: Unit): string => `${signed(x, unit.digits)}${unit.name === '%' ? ' %' : ` ${unit.name}`}`

/** The interval in words: "95 % CI +0.040 to +0.090 IoU", or "95 % interval unbounded at n = 3". */
function describeInterval(c: Comparison, unit: Unit): string {
  return c.ciLow === null || c.ciHigh === null ? `95 % interval unbounded at n = ${c.pairs}` : `95 % CI ${signed(c.ciLow, unit.digits)} to ${withUnit(c.ciHigh, unit)}`
}

/** "median difference +0.066 IoU, 95 % CI +0.040 to +0.090 IoU" (or "…, 95 % interval unbounded at n = 3"). */
export function describeEffect(c: Comparison, unit: Unit, what = 'median difference'): string {
  return `${what} ${withUnit(c.medianDifference, unit)}, ${describeInterval(c, unit)}`
}

/** The test named with its n and p: "Wilcoxon signed-rank, paired by seed, n = 6, p = 0.031". */
export function describeTest(c: Comparison, pairedBy: string): string {
  return `Wilcoxon signed-rank, paired by ${pairedBy}, n = ${c.pairs}, ${describeP(c.pValue)}`
}

/** "no difference detectable with n = 3" — the only words a sentence may use where the verdict is none. */
export function noDifference(pairs: number | string): string {
  return `no difference detectable with n = ${pairs}`
}

/**
 * One comparison as a clause: "<first> scored higher than <second>" or "no difference detectable with n = N",
 * followed by the effect and the test in parentheses.
 */
export function describeComparison(c: Comparison, names: { first: string; second: string }, unit: Unit, pairedBy: string): string {
  const head =
    c.verdict === 'higher'
      ? `${names.first} scored higher than ${names.second}`
      : c.verdict === 'lower'
        ? `${names.first} scored lower than ${names.second}`
        : `${names.first} against ${names.second}: ${noDifference(c.pairs)}`
  return `${head} (${describeEffect(c, unit)}; ${describeTest(c, pairedBy)})`
}

/** "n = 3" or "n = 2–3" over several comparisons. */
export function pairsRange(cs: readonly Comparison[]): string {
  const ns = cs.map((c) => c.pairs)
  const [lo, hi] = [Math.min(...ns), Math.max(...ns)]
  return lo === hi ? String(lo) : `${lo}–${hi}`
}

/** A labelled comparison, for sentences over many of them. */
export interface LabelledComparison {
  label: string
  c: Comparison
}

/**
 * The span of median differences over comparisons, each end with its interval and label: "median difference
 * from −0.010 IoU (95 % CI −0.020 to +0.001 IoU) at budget 0.2 to +0.050 IoU (…) at budget 0.1", or one value.
 */
export function describeSpan(items: readonly LabelledComparison[], unit: Unit, what = 'median difference'): string {
  const sorted = [...items].sort((a, b) => a.c.medianDifference - b.c.medianDifference)
  const end = (i: LabelledComparison): string => `${withUnit(i.c.medianDifference, unit)} (${describeInterval(i.c, unit)}) at ${i.label}`
  const [lo, hi] = [sorted[0], sorted.at(-1)]
  if (!lo || !hi) return ''
  return lo === hi ? `${what} ${end(lo)}` : `${what} from ${end(lo)} to ${end(hi)}`
}
