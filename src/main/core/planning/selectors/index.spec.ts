import { describe, expect, it } from 'vitest'
import { selectionMethods, selectionRules } from '../../../../shared/plan'
import { createRng } from '../../random/rng'
import { coveringRadius, featureMatrixFromRows, type FeatureMatrix } from '../features/feature-matrix'
import { kMedoidsCost, selectAcrossVolumes, selectFixedInterval, selectKCenter, selectKMedoids, selectSlices, selectUniformRandom } from '.'
import { clusteredMatrix, contractViolation, uniformMatrix } from './synthetic.spec-helpers'

describe('selectSlices', () => {
  it('dispatches every method and rule to its selector with the same arguments', () => {
    const m = clusteredMatrix(40, 4, 4, createRng(1))
    const input = (seed: number) => ({ sliceCount: 40, k: 6, rng: createRng(seed), features: m })
    expect(selectSlices('fixed', input(0))).toEqual(selectFixedInterval(40, 6))
    expect(selectSlices('fixed', input(0), { offset: 0 })).toEqual(selectFixedInterval(40, 6, 0))
    expect(selectSlices('random', input(3))).toEqual(selectUniformRandom(40, 6, createRng(3)))
    expect(selectSlices('representative', input(0))).toEqual(selectKCenter(m, 6))
    expect(selectSlices('representative', input(0), { rule: 'kcenter' })).toEqual(selectKCenter(m, 6))
    expect(selectSlices('representative', input(4), { rule: 'kmedoids' })).toEqual(selectKMedoids(m, 6, createRng(4)))
  })

  it('keeps the contract for every method and rule over 100 seeded shapes', () => {
    const rng = createRng(12)
    for (let t = 0; t < 100; t++) {
      const n = 1 + rng.int(120)
      const k = 1 + rng.int(n)
      const features = uniformMatrix(n, 3, rng)
      for (const method of selectionMethods) {
        for (const rule of selectionRules) {
          const s = selectSlices(method, { sliceCount: n, k, rng: createRng(t), features }, { rule })
          expect(contractViolation(s, n, k), `${method}/${rule} n=${n} k=${k}`).toBe('')
        }
      }
    }
  })

  it('says that representative selection needs features, and one row per slice', () => {
    expect(() => selectSlices('representative', { sliceCount: 10, k: 2, rng: createRng(0) })).toThrow(/needs slice features/)
    const m = uniformMatrix(9, 2, createRng(0))
    expect(() => selectSlices('representative', { sliceCount: 10, k: 2, rng: createRng(0), features: m })).toThrow(/9 rows but the volume has 10 slices/)
  })

  it('passes range errors through for every method', () => {
    for (const method of selectionMethods) {
      expect(() => selectSlices(method, { sliceCount: 5, k: 0, rng: createRng(0), features: uniformMatrix(5, 2, createRng(0)) })).toThrow(RangeError)
      expect(() => selectSlices(method, { sliceCount: 5, k: 6, rng: createRng(0), features: uniformMatrix(5, 2, createRng(0)) })).toThrow(RangeError)
    }
  })
})

/** Volumes as slices of one clustered joint space, cut into uneven lengths. */
function jointVolumes(seed: number, volumes: number): FeatureMatrix[] {
  const rng = createRng(seed)
  const lengths = Array.from({ length: volumes }, () => 10 + rng.int(30))
  const all = clusteredMatrix(
    lengths.reduce((a, b) => a + b, 0),
    4,
    3,
    rng,
  )
  let at = 0
  return lengths.map((n) => {
    const part = { rows: n, cols: all.cols, data: all.data.slice(at * all.cols, (at + n) * all.cols) }
    at += n
    return part
  })
}

describe('selectAcrossVolumes', () => {
  it('spends exactly totalK slices, sorted and distinct per volume, at least one per volume', () => {
    for (const rule of selectionRules) {
      for (let seed = 0; seed < 15; seed++) {
        const vols = jointVolumes(seed, 2 + (seed % 6))
        const total = vols.reduce((a, m) => a + m.rows, 0)
        const totalK = vols.length + ((seed * 7) % (total - vols.length))
        const out = selectAcrossVolumes(vols, totalK, rule, createRng(seed))
        expect(out).toHaveLength(vols.length)
        expect(out.reduce((a, s) => a + s.length, 0)).toBe(totalK)
        out.forEach((s, v) => {
          expect(s.length, `${rule} seed ${seed} volume ${v}`).toBeGreaterThanOrEqual(1)
          expect(contractViolation(s, vols[v]!.rows, s.length)).toBe('')
        })
      }
    }
  })

  it('lets counts differ between volumes: a volume of repeated slices gets one, a varied one gets the rest', () => {
    const flat = featureMatrixFromRows(Array.from({ length: 20 }, () => [0, 0]))
    const varied = featureMatrixFromRows(Array.from({ length: 20 }, (_, i) => [i, (i * 7) % 5]))
    for (const rule of selectionRules) {
      const [a, b] = selectAcrossVolumes([flat, varied], 8, rule, createRng(1))
      expect(a, rule).toHaveLength(1)
      expect(b, rule).toHaveLength(7)
    }
  })

  it('with minPerVolume 0 equals the rule on the stacked rows, split back per volume', () => {
    const vols = jointVolumes(3, 4)
    const stacked = { rows: 0, cols: 4, data: new Float32Array(0) }
    stacked.rows = vols.reduce((a, m) => a + m.rows, 0)
    stacked.data = new Float32Array(vols.flatMap((m) => Array.from(m.data)))
    const joint = selectKCenter(stacked, 9)
    const out = selectAcrossVolumes(vols, 9, 'kcenter', createRng(0), { minPerVolume: 0 })
    let offset = 0
    const back = out.flatMap((s, v) => {
      const rows = s.map((r) => r + offset)
      offset += vols[v]!.rows
      return rows
    })
    expect(back).toEqual(joint)
  })

  it('covers the joint space about as well as the unconstrained rule (the one-per-volume floor costs little)', () => {
    const vols = jointVolumes(5, 6)
    const stacked = { rows: vols.reduce((a, m) => a + m.rows, 0), cols: 4, data: new Float32Array(vols.flatMap((m) => Array.from(m.data))) }
    const flatten = (out: number[][]) => {
      let offset = 0
      return out.flatMap((s, v) => {
        const rows = s.map((r) => r + offset)
        offset += vols[v]!.rows
        return rows
      })
    }
    const k = 20
    const constrained = kMedoidsCost(stacked, flatten(selectAcrossVolumes(vols, k, 'kmedoids', createRng(2))))
    const free = kMedoidsCost(stacked, flatten(selectAcrossVolumes(vols, k, 'kmedoids', createRng(2), { minPerVolume: 0 })))
    expect(constrained).toBeLessThanOrEqual(free * 1.15)
    const r1 = coveringRadius(stacked, flatten(selectAcrossVolumes(vols, k, 'kcenter', createRng(2))))
    const r0 = coveringRadius(stacked, flatten(selectAcrossVolumes(vols, k, 'kcenter', createRng(2), { minPerVolume: 0 })))
    expect(r1).toBeLessThanOrEqual(r0 * 1.5)
  })

  it('is deterministic for a seed', () => {
    const vols = jointVolumes(8, 5)
    expect(selectAcrossVolumes(vols, 15, 'kmedoids', createRng(4))).toEqual(selectAcrossVolumes(vols, 15, 'kmedoids', createRng(4)))
  })

  it('refuses budgets below one slice per volume, mismatched feature spaces and empty input', () => {
    const vols = jointVolumes(1, 4)
    expect(() => selectAcrossVolumes(vols, 3, 'kcenter', createRng(0))).toThrow(/3 slices cannot give each of 4 volumes/)
    expect(selectAcrossVolumes(vols, 3, 'kcenter', createRng(0), { minPerVolume: 0 }).flat()).toHaveLength(3)
    expect(() => selectAcrossVolumes([uniformMatrix(5, 2, createRng(0)), uniformMatrix(5, 3, createRng(0))], 3, 'kcenter', createRng(0))).toThrow(/one feature space/)
    expect(() => selectAcrossVolumes([], 1, 'kcenter', createRng(0))).toThrow(RangeError)
    const total = vols.reduce((a, m) => a + m.rows, 0)
    expect(() => selectAcrossVolumes(vols, total + 1, 'kmedoids', createRng(0))).toThrow(RangeError)
  })
})
