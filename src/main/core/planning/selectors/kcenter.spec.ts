import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { coveringRadius, featureMatrixFromRows } from '../features/feature-matrix'
import { selectKCenter } from './kcenter'
import { bruteForceMin, clusteredMatrix, contractViolation, uniformMatrix } from './synthetic.spec-helpers'

describe('selectKCenter', () => {
  it('returns k sorted distinct rows for 200 seeded shapes (n up to 300)', () => {
    const rng = createRng(3)
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(300)
      const k = 1 + rng.int(n)
      const m = uniformMatrix(n, 1 + rng.int(4), rng)
      expect(contractViolation(selectKCenter(m, k), n, k), `n=${n} k=${k}`).toBe('')
    }
  })

  it('keeps the covering radius within 2× the brute-forced optimum (the greedy bound) on 150 small cases', () => {
    let tight = 0
    for (let seed = 0; seed < 150; seed++) {
      const rng = createRng(seed)
      const n = 4 + rng.int(8)
      const k = 1 + rng.int(Math.min(4, n - 1))
      const m = seed % 2 ? uniformMatrix(n, 1 + rng.int(3), rng) : clusteredMatrix(n, 2, 1 + rng.int(4), rng)
      const opt = bruteForceMin(n, k, (s) => coveringRadius(m, s))
      const got = coveringRadius(m, selectKCenter(m, k))
      expect(got, `seed ${seed}`).toBeLessThanOrEqual(2 * opt * (1 + 1e-9))
      if (got <= opt * (1 + 1e-9)) tight++
    }
    // Not a bound, a sanity check that the greedy is usually much better than its worst case.
    expect(tight).toBeGreaterThan(50)
  })

  it('starts at the row nearest the mean, then takes the farthest row, ties to the lowest index', () => {
    // Points on a line at 0, 1, 2, 3, 10: mean 3.2, so the first centre is 3; then 10 is farthest (7 away),
    // then 0 (distance 3 to centre 3).
    const m = featureMatrixFromRows([[0], [1], [2], [3], [10]])
    expect(selectKCenter(m, 1)).toEqual([3])
    expect(selectKCenter(m, 2)).toEqual([3, 4])
    expect(selectKCenter(m, 3)).toEqual([0, 3, 4])
    // Symmetric: mean at 0 is row 1; rows 0 and 2 are equally far, the lower index wins.
    const sym = featureMatrixFromRows([[-1], [0], [1]])
    expect(selectKCenter(sym, 2)).toEqual([0, 1])
  })

  it('picks distinct rows even when rows repeat (k larger than the number of distinct rows)', () => {
    const m = featureMatrixFromRows([[1], [1], [1], [5], [5]])
    expect(selectKCenter(m, 4)).toEqual([0, 1, 2, 3])
    expect(selectKCenter(m, 5)).toEqual([0, 1, 2, 3, 4])
  })

  it('needs no randomness: the same features always give the same rows', () => {
    const m = clusteredMatrix(120, 5, 6, createRng(9))
    expect(selectKCenter(m, 12)).toEqual(selectKCenter(m, 12))
  })

  it('with groupOf, gives every group a centre', () => {
    const m = featureMatrixFromRows([[0], [0.1], [0.2], [50], [51], [100]])
    // Groups: rows 0–2 (far from the big values), 3–4, 5. Unconstrained k = 3 would take 50/51 and 100 and 0.
    const s = selectKCenter(m, 3, { groupOf: [0, 0, 0, 1, 1, 2] })
    expect(s).toHaveLength(3)
    expect(s.some((r) => r <= 2) && s.some((r) => r === 3 || r === 4) && s.includes(5)).toBe(true)
    expect(() => selectKCenter(m, 2, { groupOf: [0, 0, 0, 1, 1, 2] })).toThrow(/3 groups/)
  })

  it('rejects k out of range and malformed matrices', () => {
    const m = uniformMatrix(5, 2, createRng(0))
    expect(() => selectKCenter(m, 0)).toThrow(RangeError)
    expect(() => selectKCenter(m, 6)).toThrow(RangeError)
    expect(() => selectKCenter({ rows: 2, cols: 2, data: new Float32Array(3) }, 1)).toThrow(/needs 4/)
    expect(() => selectKCenter({ rows: 2, cols: 1, data: Float32Array.of(0, NaN) }, 1)).toThrow(/not finite/)
  })
})
