import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { symmetricEigen } from './eigen'

/** A random symmetric m × m matrix with entries in [−1, 1). */
function randomSymmetric(m: number, seed: number): Float64Array {
  const rng = createRng(seed)
  const a = new Float64Array(m * m)
  for (let i = 0; i < m; i++) for (let j = i; j < m; j++) a[i * m + j] = a[j * m + i] = 2 * rng.next() - 1
  return a
}

describe('symmetricEigen', () => {
  it('solves a 2 × 2 case by hand: [[2, 1], [1, 2]] has 3 along (1, 1) and 1 along (1, −1)', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2)
    expect(values[0]).toBeCloseTo(3, 14)
    expect(values[1]).toBeCloseTo(1, 14)
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2, 14)
    expect((vectors[0] as number) * (vectors[1] as number)).toBeGreaterThan(0)
    expect((vectors[2] as number) * (vectors[3] as number)).toBeLessThan(0)
  })

  it('returns a diagonal matrix’s entries sorted, largest first', () => {
    const { values } = symmetricEigen([1, 0, 0, 0, 5, 0, 0, 0, -2], 3)
    expect(Array.from(values)).toEqual([5, 1, -2])
  })

  it('satisfies A v = λ v with orthonormal vectors on random matrices up to 40 × 40', () => {
    for (const [m, seed] of [
      [1, 0],
      [3, 1],
      [10, 2],
      [40, 3],
    ] as const) {
      const a = randomSymmetric(m, seed)
      const { values, vectors } = symmetricEigen(a, m)
      let trace = 0
      for (let i = 0; i < m; i++) trace += a[i * m + i] as number
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10)
      for (let i = 1; i < m; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1] as number)
      for (let e = 0; e < m; e++) {
        for (let r = 0; r < m; r++) {
          let av = 0
          for (let c = 0; c < m; c++) av += (a[r * m + c] as number) * (vectors[e * m + c] as number)
          expect(Math.abs(av - (values[e] as number) * (vectors[e * m + r] as number))).toBeLessThan(1e-10)
        }
        for (let f = 0; f < m; f++) {
          let dot = 0
          for (let c = 0; c < m; c++) dot += (vectors[e * m + c] as number) * (vectors[f * m + c] as number)
          expect(Math.abs(dot - (e === f ? 1 : 0))).toBeLessThan(1e-12)
        }
      }
    }
  })

  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/2×2 matrix needs 4/)
  })
})
