import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { contractViolation } from './synthetic.spec-helpers'
import { selectUniformRandom } from './uniform-random'

describe('selectUniformRandom', () => {
  it('returns k sorted distinct in-range slices for 200 seeded (n, k) pairs with n up to 300', () => {
    const rng = createRng(7)
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(300)
      const k = 1 + rng.int(n)
      expect(contractViolation(selectUniformRandom(n, k, createRng(t)), n, k), `n=${n} k=${k}`).toBe('')
    }
  })

  it('gives the same slices for the same seed and different slices for different seeds', () => {
    expect(selectUniformRandom(200, 20, createRng(5))).toEqual(selectUniformRandom(200, 20, createRng(5)))
    const draws = new Set(Array.from({ length: 20 }, (_, s) => selectUniformRandom(200, 20, createRng(s)).join(',')))
    expect(draws.size).toBe(20)
  })

  it('returns every slice when k = n', () => {
    expect(selectUniformRandom(40, 40, createRng(1))).toEqual(Array.from({ length: 40 }, (_, i) => i))
  })

  it('picks every slice about equally often (chi-square over 4000 draws of 3 of 10)', () => {
    const counts = new Array<number>(10).fill(0)
    const rng = createRng(11)
    for (let t = 0; t < 4000; t++) for (const s of selectUniformRandom(10, 3, rng)) counts[s]!++
    const expected = (4000 * 3) / 10
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0)
    // 9 degrees of freedom: P(χ² > 27.9) ≈ 0.001, and the seed is fixed, so this is a deterministic check.
    expect(chi2).toBeLessThan(27.9)
  })

  it('rejects k < 1 and k > n with a RangeError', () => {
    expect(() => selectUniformRandom(5, 0, createRng(0))).toThrow(RangeError)
    expect(() => selectUniformRandom(5, 6, createRng(0))).toThrow(RangeError)
  })
})
