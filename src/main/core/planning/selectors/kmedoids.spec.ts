import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { featureMatrixFromRows } from '../features/feature-matrix'
import { selectKCenter } from './kcenter'
import { kMedoidsCost, selectKMedoids } from './kmedoids'
import { bruteForceMin, clusteredMatrix, contractViolation, uniformMatrix } from './synthetic.spec-helpers'
import { selectUniformRandom } from './uniform-random'

describe('selectKMedoids', () => {
  it('returns k sorted distinct rows for 200 seeded shapes (n up to 300)', () => {
    const rng = createRng(4)
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(300)
      // Most k small (per-volume budgets); the objective work grows with n·k.
      const k = 1 + rng.int(Math.max(1, Math.min(n, 40)))
      const m = uniformMatrix(n, 1 + rng.int(4), rng)
      // One seeding above 100 rows keeps this fast; restarts do not touch the output contract.
      const s = selectKMedoids(m, k, createRng(t), n > 100 ? { restarts: 1 } : {})
      expect(contractViolation(s, n, k), `n=${n} k=${k}`).toBe('')
    }
  })

  it('hits the brute-forced optimum on ≥ 95 % of 200 small cases and is never above 1.1× it', () => {
    // Measured: 5 restarts reach the optimum in 296 of 300 such cases, worst 1.03×; a single run in 275, worst 1.40×.
    let exact = 0
    for (let seed = 0; seed < 200; seed++) {
      const rng = createRng(seed)
      const n = 4 + rng.int(8)
      const k = 1 + rng.int(Math.min(4, n - 1))
      const m = seed % 2 ? uniformMatrix(n, 1 + rng.int(3), rng) : clusteredMatrix(n, 2, 1 + rng.int(4), rng)
      const opt = bruteForceMin(n, k, (s) => kMedoidsCost(m, s))
      const got = kMedoidsCost(m, selectKMedoids(m, k, createRng(seed + 1)))
      expect(got, `seed ${seed}`).toBeLessThanOrEqual(1.1 * opt * (1 + 1e-9))
      if (got <= opt * (1 + 1e-9)) exact++
    }
    expect(exact).toBeGreaterThanOrEqual(190)
  })

  it('finds the exact 1-medoid (k = 1) by Voronoi iteration alone', () => {
    for (let seed = 0; seed < 30; seed++) {
      const m = uniformMatrix(15, 3, createRng(seed))
      const opt = bruteForceMin(15, 1, (s) => kMedoidsCost(m, s))
      expect(kMedoidsCost(m, selectKMedoids(m, 1, createRng(seed)))).toBeCloseTo(opt, 9)
    }
  })

  it("beats k-center's and the mean random draw's objective on clustered data (40 datasets)", () => {
    for (let seed = 0; seed < 40; seed++) {
      const rng = createRng(100 + seed)
      const m = clusteredMatrix(60 + rng.int(120), 2 + rng.int(6), 3 + rng.int(6), rng)
      const k = 2 + rng.int(10)
      const ours = kMedoidsCost(m, selectKMedoids(m, k, createRng(seed)))
      expect(ours, `seed ${seed} vs k-center`).toBeLessThanOrEqual(kMedoidsCost(m, selectKCenter(m, k)) * (1 + 1e-9))
      let random = 0
      for (let r = 0; r < 10; r++) random += kMedoidsCost(m, selectUniformRandom(m.rows, k, createRng(1000 * seed + r)))
      expect(ours, `seed ${seed} vs random`).toBeLessThan(random / 10)
    }
  })

  it('puts one medoid in each of k well-separated clusters', () => {
    const rows: number[][] = []
    for (const c of [0, 100, 200]) for (let i = 0; i < 7; i++) rows.push([c + i, c - i])
    const s = selectKMedoids(featureMatrixFromRows(rows), 3, createRng(0))
    // Each cluster's medoid is its middle point (i = 3).
    expect(s).toEqual([3, 10, 17])
  })

  it('is deterministic for a seed, and k = n returns every row', () => {
    const m = clusteredMatrix(200, 4, 5, createRng(2))
    expect(selectKMedoids(m, 15, createRng(42))).toEqual(selectKMedoids(m, 15, createRng(42)))
    expect(selectKMedoids(m, 200, createRng(1))).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })

  it('picks distinct rows among duplicates', () => {
    const m = featureMatrixFromRows([[1], [1], [1], [1], [9], [9]])
    const s = selectKMedoids(m, 4, createRng(0))
    expect(contractViolation(s, 6, 4)).toBe('')
    expect(s.some((r) => r >= 4)).toBe(true)
  })

  it('without swap refinement (large-n path) still improves on random and keeps the contract', () => {
    const m = clusteredMatrix(400, 4, 8, createRng(5))
    const s = selectKMedoids(m, 20, createRng(1), { swapMaxRows: 100 })
    expect(contractViolation(s, 400, 20)).toBe('')
    let random = 0
    for (let r = 0; r < 10; r++) random += kMedoidsCost(m, selectUniformRandom(400, 20, createRng(r)))
    expect(kMedoidsCost(m, s)).toBeLessThan(random / 10)
  })

  it('with groupOf, keeps a medoid in every group', () => {
    const rng = createRng(8)
    for (let t = 0; t < 30; t++) {
      const groups = 2 + rng.int(6)
      const sizes = Array.from({ length: groups }, () => 3 + rng.int(20))
      const n = sizes.reduce((a, b) => a + b, 0)
      const groupOf = sizes.flatMap((s, g) => new Array<number>(s).fill(g))
      // One dominant cluster holds most rows, so the unconstrained optimum would leave some groups empty.
      const m = clusteredMatrix(n, 3, 2, rng)
      const k = groups + rng.int(5)
      const s = selectKMedoids(m, k, createRng(t), { groupOf })
      expect(contractViolation(s, n, k)).toBe('')
      expect(new Set(s.map((r) => groupOf[r])).size, `t=${t}`).toBe(groups)
    }
  })

  it('rejects k out of range and bad restarts', () => {
    const m = uniformMatrix(5, 2, createRng(0))
    expect(() => selectKMedoids(m, 0, createRng(0))).toThrow(RangeError)
    expect(() => selectKMedoids(m, 6, createRng(0))).toThrow(RangeError)
    expect(() => selectKMedoids(m, 2, createRng(0), { restarts: 0 })).toThrow(/restarts/)
  })
})
