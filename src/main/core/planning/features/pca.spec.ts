import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Axis, Volume } from '../../../../shared/volume'
import { createRng, type Rng } from '../../random/rng'
import { sampleDataDir } from '../../../test-support/shared-data'
import { readImageFile, volumeFromData } from '../../volume'
import { featureMatrixFromRows, featureRow, type FeatureMatrix } from './feature-matrix'
import { fitPca, pcaFeatures, sliceDescriptors, type PcaMethod } from './pca'

/** Unit vectors e_0..e_{count−1} spanning a random subspace of R^dim (Gram–Schmidt on Gaussian draws). */
function randomOrthonormal(count: number, dim: number, rng: Rng): number[][] {
  const out: number[][] = []
  while (out.length < count) {
    const v = Array.from({ length: dim }, () => rng.next() - 0.5)
    for (const u of out) {
      const dot = v.reduce((a, x, i) => a + x * (u[i] as number), 0)
      for (let i = 0; i < dim; i++) v[i]! -= dot * (u[i] as number)
    }
    const norm = Math.hypot(...v)
    out.push(v.map((x) => x / norm))
  }
  return out
}

/**
 * A hand-built point set with known principal axes: mean + ±s_i·e_i for each axis i (2 points per axis).
 * The centred points are exactly the ±s_i·e_i, so the covariance is Σ 2 s_i² e_i e_iᵀ / n: axis i has variance
 * 2 s_i² / n, and nothing else.
 */
function plantedAxes(axes: number[][], scales: number[], mean: number[]): FeatureMatrix {
  const rows: number[][] = []
  axes.forEach((e, i) => {
    for (const sign of [1, -1]) rows.push(mean.map((m, c) => m + sign * (scales[i] as number) * (e[c] as number)))
  })
  return featureMatrixFromRows(rows)
}

/** |cos| of the angle between a basis row and a vector: 1 when they are the same axis up to sign. */
function alignment(basis: FeatureMatrix, row: number, v: number[]): number {
  const b = featureRow(basis, row)
  return Math.abs(v.reduce((a, x, i) => a + x * (b[i] as number), 0))
}

describe('fitPca', () => {
  it('recovers the axes of a hand-built 3-D case: ±3u, ±v, ±0.5w with u = (1, 1, 0)/√2, v = (1, −1, 0)/√2, w = z', () => {
    const s = Math.SQRT1_2
    const m = plantedAxes([[s, s, 0], [s, -s, 0], [0, 0, 1]], [3, 1, 0.5], [10, -5, 2])
    const pca = fitPca(m, 3, createRng(0))
    expect(Array.from(pca.mean)).toEqual([10, -5, 2])
    // Variances 2·9/6, 2·1/6, 2·0.25/6.
    expect(pca.variances[0]).toBeCloseTo(3, 5)
    expect(pca.variances[1]).toBeCloseTo(1 / 3, 5)
    expect(pca.variances[2]).toBeCloseTo(1 / 12, 5)
    // Sign convention: the largest-magnitude entry (first one on ties) is positive.
    const b = Array.from(pca.basis.data)
    const want = [s, s, 0, s, -s, 0, 0, 0, 1]
    b.forEach((x, i) => expect(x).toBeCloseTo(want[i] as number, 6))
    // Coordinates of the planted points are exactly ±scale along their own axis.
    const p = pca.project(m)
    expect(Array.from(featureRow(p, 0)).map((x) => +x.toFixed(5) + 0)).toEqual([3, 0, 0])
    expect(Array.from(featureRow(p, 3)).map((x) => +x.toFixed(5) + 0)).toEqual([0, -1, 0])
  })

  const methods: [PcaMethod, number, number][] = [
    // [method, planted axes, dimension]: more rows than columns takes the covariance path, fewer the Gram path.
    ['exact', 4, 5],
    ['exact', 4, 40],
    ['randomised', 4, 40],
  ]
  for (const [method, count, dim] of methods) {
    it(`recovers planted axes and variances in ${dim} dimensions (${method}, ${2 * count} rows)`, () => {
      const rng = createRng(dim + count)
      const axes = randomOrthonormal(count, dim, rng)
      const scales = [5, 3, 2, 1]
      const mean = Array.from({ length: dim }, () => 10 * rng.next())
      const m = plantedAxes(axes, scales, mean)
      const pca = fitPca(m, count, createRng(1), { method })
      expect(pca.basis.rows).toBe(count)
      for (let i = 0; i < count; i++) {
        expect(alignment(pca.basis, i, axes[i]!)).toBeCloseTo(1, 5)
        expect(pca.variances[i]).toBeCloseTo((2 * (scales[i] as number) ** 2) / m.rows, 4)
      }
    })
  }

  it('agrees with the exact method when randomised, on a noisy planted spectrum (300 × 120)', () => {
    const rng = createRng(17)
    const axes = randomOrthonormal(6, 120, rng)
    const scales = [12, 9, 7, 5, 4, 3]
    const rows: number[][] = []
    for (let r = 0; r < 300; r++) {
      const v = Array.from({ length: 120 }, () => 0.3 * (rng.next() - 0.5))
      axes.forEach((e, i) => {
        const a = (scales[i] as number) * (rng.next() - 0.5)
        for (let c = 0; c < 120; c++) v[c]! += a * (e[c] as number)
      })
      rows.push(v)
    }
    const m = featureMatrixFromRows(rows)
    const exact = fitPca(m, 6, createRng(0), { method: 'exact' })
    const randomised = fitPca(m, 6, createRng(0), { method: 'randomised' })
    for (let i = 0; i < 6; i++) {
      expect(randomised.variances[i]! / exact.variances[i]!).toBeCloseTo(1, 4)
      const e = Array.from(featureRow(exact.basis, i))
      expect(alignment(randomised.basis, i, e)).toBeCloseTo(1, 3)
    }
  })

  it('keeps fewer axes than asked when the data has lower rank, and caps at min(rows, cols)', () => {
    const line = featureMatrixFromRows([[0, 0, 0], [1, 2, 3], [2, 4, 6], [3, 6, 9]])
    expect(fitPca(line, 3, createRng(0)).basis.rows).toBe(1)
    expect(fitPca(featureMatrixFromRows([[1, 1]]), 4, createRng(0)).basis.rows).toBe(0)
    const wide = plantedAxes(randomOrthonormal(2, 30, createRng(2)), [2, 1], new Array<number>(30).fill(0))
    expect(fitPca(wide, 16, createRng(0)).basis.rows).toBe(2)
  })

  it('rejects bad component counts and projections from another space', () => {
    const m = featureMatrixFromRows([[1, 2], [3, 4], [0, 1]])
    expect(() => fitPca(m, 0, createRng(0))).toThrow(/components/)
    expect(() => fitPca(m, 1, createRng(0)).project(featureMatrixFromRows([[1, 2, 3]]))).toThrow(/fitted on 2 columns/)
  })
})

/** A synthetic volume whose value depends only on the coordinate along `axis` (or on in-plane ones). */
function ramp(dims: [number, number, number], axis: Axis, value: (i: number, j: number, k: number) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2])
  let p = 0
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[p++] = value(i, j, k)
  return volumeFromData(dims, data, { sliceAxis: axis, description: 'pca spec' })
}

describe('sliceDescriptors', () => {
  it('makes one size² row per slice along the volume’s slice axis', () => {
    const dims: [number, number, number] = [7, 9, 11]
    for (const axis of [0, 1, 2] as const) {
      const v = ramp(dims, axis, (i, j, k) => [i, j, k][axis] as number)
      const d = sliceDescriptors(v, 8)
      expect(d.rows).toBe(dims[axis])
      expect(d.cols).toBe(64)
      // Each slice is constant, and the normalised constants increase with the slice index.
      for (let s = 0; s < d.rows; s++) {
        const row = featureRow(d, s)
        for (const x of row) expect(x).toBeCloseTo(row[0] as number, 5)
        if (s > 0) expect(row[0]).toBeGreaterThan(featureRow(d, s - 1)[0] as number)
      }
    }
  })

  it('normalises per volume robustly: an isolated extreme voxel does not squash the rest', () => {
    const v = ramp([10, 10, 10], 2, (i) => i)
    v.data[0] = 1.7e6
    const d = sliceDescriptors(v, 10)
    // With the 99.5th-percentile clip the in-plane ramp keeps a spread of order 1 (z-scored);
    // a plain z-score would leave it near 1e-5.
    const row = featureRow(d, 5)
    expect((row[9] as number) - (row[0] as number)).toBeGreaterThan(2)
  })

  it('reads a real sample volume into finite descriptors of mean ≈ 0', () => {
    const v = readImageFile(join(sampleDataDir, 'images', 'hippocampus_001.nii.gz'))
    const d = sliceDescriptors(v)
    expect(d.rows).toBe(v.header.dims[v.header.sliceAxis])
    expect(d.cols).toBe(1024)
    let sum = 0
    for (const x of d.data) {
      expect(Number.isFinite(x)).toBe(true)
      sum += x
    }
    expect(Math.abs(sum / d.data.length)).toBeLessThan(0.5)
  })
})

describe('pcaFeatures', () => {
  const volumes = [ramp([12, 10, 20], 2, (i, j, k) => Math.sin(i + k) + j * k), ramp([8, 14, 15], 2, (i, j, k) => Math.cos(j * k) + i)]

  it("'each' fits per volume, 'all' one joint space with equal columns", () => {
    const each = pcaFeatures(volumes, { fitOn: 'each', size: 8, components: 5 }, createRng(0))
    expect(each.map((m) => m.rows)).toEqual([20, 15])
    expect(each.every((m) => m.cols <= 5)).toBe(true)
    const all = pcaFeatures(volumes, { fitOn: 'all', size: 8, components: 5 }, createRng(0))
    expect(all.map((m) => [m.rows, m.cols])).toEqual([
      [20, 5],
      [15, 5],
    ])
    expect(pcaFeatures([], { fitOn: 'all' }, createRng(0))).toEqual([])
  })

  it('is deterministic for a seed', () => {
    const a = pcaFeatures(volumes, { fitOn: 'all', size: 8 }, createRng(3))
    const b = pcaFeatures(volumes, { fitOn: 'all', size: 8 }, createRng(3))
    expect(a).toEqual(b)
  })
})
