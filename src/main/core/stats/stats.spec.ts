// The statistics against textbook values: Student's t quantiles from printed tables, the normal CDF, and the
// Wilcoxon signed-rank test on Hollander & Wolfe's and Fisher's (Darwin's Zea mays) examples.
import { describe, expect, it } from 'vitest'
import { erfc, normalCdf, studentTCdf, studentTQuantile } from './distributions'
import { summarise } from './summary'
import { rankWithTies, signedRankCounts, wilcoxonOnDifferences, wilcoxonSignedRank } from './wilcoxon'

describe('distributions', () => {
  it("Student's t: 97.5 % quantiles match the printed table", () => {
    const table: [number, number][] = [[1, 12.7062047], [2, 4.30265273], [4, 2.77644511], [10, 2.22813885], [30, 2.04227246]]
    for (const [df, q] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 6)
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12)
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
    for (const t of [-3, -0.5, 0.7, 4]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12)
    // df = 2 has a closed form: F(t) = 1/2 + t / (2√(2 + t²)).
    for (const t of [-2, 0.3, 5]) expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12)
  })

  it('normal CDF and erfc match tabulated values', () => {
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 9)
    expect(normalCdf(-1)).toBeCloseTo(0.158655253931457, 12)
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-5, 15)
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 13)
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 9)
  })
})

describe('summarise', () => {
  it('mean, sample std and the t-based 95 % CI', () => {
    const s = summarise([0.8, 0.9, 1.0])
    expect(s.mean).toBeCloseTo(0.9, 12)
    expect(s.std).toBeCloseTo(0.1, 12)
    // t(0.975, 2) = 4.30265273: half-width 4.30265273 · 0.1 / √3.
    expect(s.ciHigh - s.mean).toBeCloseTo((4.30265273 * 0.1) / Math.sqrt(3), 7)
    expect(summarise([0.5])).toEqual({ n: 1, mean: 0.5, std: 0, ciLow: 0.5, ciHigh: 0.5 })
    expect(summarise([]).mean).toBeNaN()
  })
})

describe('Wilcoxon signed-rank test', () => {
  it("Hollander & Wolfe's Hamilton depression example: T⁺ = 40, T⁻ = 5, exact two-sided p = 0.0390625", () => {
    const first = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
    const second = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    const r = wilcoxonSignedRank(first, second)
    expect(r).toMatchObject({ n: 9, zeros: 0, wPlus: 40, wMinus: 5, statistic: 5, method: 'exact' })
    // 2 · #{subsets of 1…9 with sum ≤ 5} / 2⁹ = 2 · 10 / 512.
    expect(r.pValue).toBeCloseTo(0.0390625, 14)
  })

  it("Darwin's Zea mays differences (Fisher): T⁻ = 24, exact p = 0.041259765625, checked by enumerating all 2¹⁵ sign patterns", () => {
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    const r = wilcoxonOnDifferences(d)
    expect(r).toMatchObject({ n: 15, statistic: 24, wMinus: 24, wPlus: 96, method: 'exact' })
    expect(r.pValue).toBeCloseTo(0.041259765625, 14)
    let atMost = 0
    for (let mask = 0; mask < 2 ** 15; mask++) {
      let sum = 0
      for (let k = 0; k < 15; k++) if (mask & (1 << k)) sum += k + 1
      if (sum <= 24) atMost++
    }
    expect(r.pValue).toBe((2 * atMost) / 2 ** 15)
  })

  it('with a zero and ties: the normal approximation with tie and continuity correction (p = 0.6352893188)', () => {
    const x = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135]
    const y = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145]
    const r = wilcoxonSignedRank(x, y)
    expect(r).toMatchObject({ n: 9, zeros: 1, statistic: 18, method: 'normal' })
    expect(r.pValue).toBeCloseTo(0.6352893188352069, 9)
  })

  it('ranks ties by their mean rank; the count table sums to 2ⁿ; no non-zero pair gives p = 1', () => {
    expect(rankWithTies([3, 1, 3, 2])).toEqual({ ranks: [3.5, 1, 3.5, 2], tieTerm: 6 })
    const counts = signedRankCounts(6)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(64)
    expect(counts.slice(0, 5)).toEqual([1, 1, 1, 2, 2])
    expect(wilcoxonOnDifferences([0, 0]).pValue).toBe(1)
    expect(() => wilcoxonSignedRank([1], [1, 2])).toThrow(/differ in length/)
  })
})
