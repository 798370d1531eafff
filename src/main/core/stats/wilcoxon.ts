/**
 * The paired Wilcoxon signed-rank test (two-sided). Zero differences are dropped (Wilcoxon's method); tied
 * |differences| get their mean rank. The p-value is exact (the null distribution of W⁺ counted over all 2ⁿ
 * sign patterns) for n ≤ 25 without ties, else the normal approximation with tie and continuity correction.
 */
import { normalCdf } from './distributions'

export interface WilcoxonResult {
  /** Pairs with a non-zero difference. */
  n: number
  /** Pairs dropped for a zero difference. */
  zeros: number
  /** Sums of the ranks of positive and negative differences (x − y). */
  wPlus: number
  wMinus: number
  /** min(W⁺, W⁻), the usual two-sided statistic. */
  statistic: number
  pValue: number
  method: 'exact' | 'normal'
  /** The normal approximation's z (null for exact). */
  z: number | null
  /** Median of the non-zero differences x − y (0 when none). */
  medianDifference: number
}

const EXACT_MAX_N = 25

/** Ranks 1…n of the values, ties sharing their mean rank; also Σ(t³ − t) over tie groups. */
export function rankWithTies(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v)
  const ranks = new Array<number>(values.length).fill(0)
  let tieTerm = 0
  for (let start = 0; start < order.length; ) {
    let end = start
    while (end + 1 < order.length && (order[end + 1] as { v: number }).v === (order[start] as { v: number }).v) end++
    const rank = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) ranks[(order[k] as { i: number }).i] = rank
    const t = end - start + 1
    tieTerm += t * t * t - t
    start = end + 1
  }
  return { ranks, tieTerm }
}

/** Number of subsets of {1…n} with each sum s = 0…n(n+1)/2 (the null distribution of W⁺, times 2ⁿ). */
export function signedRankCounts(n: number): number[] {
  const max = (n * (n + 1)) / 2
  const counts = new Array<number>(max + 1).fill(0)
  counts[0] = 1
  for (let k = 1; k <= n; k++) {
    for (let s = max; s >= k; s--) counts[s] = (counts[s] as number) + (counts[s - k] as number)
  }
  return counts
}

/** The test on paired samples x, y (same length). */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  if (x.length !== y.length) throw new RangeError(`paired samples differ in length (${x.length} and ${y.length})`)
  return wilcoxonOnDifferences(x.map((v, i) => v - (y[i] as number)))
}

/** The test on the differences d = x − y. */
export function wilcoxonOnDifferences(differences: readonly number[]): WilcoxonResult {
  const d = differences.filter((v) => v !== 0)
  const zeros = differences.length - d.length
  const n = d.length
  const sorted = [...d].sort((a, b) => a - b)
  const medianDifference = n === 0 ? 0 : n % 2 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, statistic: 0, pValue: 1, method: 'exact', z: null, medianDifference }
  const { ranks, tieTerm } = rankWithTies(d.map(Math.abs))
  let wPlus = 0
  for (let i = 0; i < n; i++) if ((d[i] as number) > 0) wPlus += ranks[i] as number
  const total = (n * (n + 1)) / 2
  const wMinus = total - wPlus
  const statistic = Math.min(wPlus, wMinus)
  if (n <= EXACT_MAX_N && tieTerm === 0) {
    const counts = signedRankCounts(n)
    let below = 0
    for (let s = 0; s <= statistic; s++) below += counts[s] as number
    const pValue = Math.min(1, (2 * below) / 2 ** n)
    return { n, zeros, wPlus, wMinus, statistic, pValue, method: 'exact', z: null, medianDifference }
  }
  const mean = total / 2
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48)
  const z = sd === 0 ? 0 : Math.min(0, statistic - mean + 0.5) / sd
  return { n, zeros, wPlus, wMinus, statistic, pValue: Math.min(1, 2 * normalCdf(z)), method: 'normal', z, medianDifference }
}
