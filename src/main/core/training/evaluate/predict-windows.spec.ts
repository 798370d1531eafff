import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { predictByWindows } from './predict-windows'
import { gaussianWeights, windowStarts } from './windows'

const threshold = (v: number): number => (v > 0.3 ? 2 : v > -0.2 ? 1 : 0)

function randomImage(n: number, seed: number): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: n }, () => 2 * rng.next() - 1)
}

async function thresholdNet(patches: Float32Array): Promise<Float32Array> {
  const out = new Float32Array(patches.length * 3)
  patches.forEach((v, p) => (out[p * 3 + threshold(v)] = 1))
  return out
}

describe('windowStarts', () => {
  it('steps by ⌊size·(1 − overlap)⌋ with the last window flush, and centres a smaller volume', () => {
    expect(windowStarts(10, 4, 0.5)).toEqual([0, 2, 4, 6])
    expect(windowStarts(11, 4, 0.5)).toEqual([0, 2, 4, 6, 7])
    expect(windowStarts(10, 4, 0)).toEqual([0, 4, 6])
    expect(windowStarts(10, 4, 0.9)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(windowStarts(4, 4, 0.5)).toEqual([0])
    expect(windowStarts(3, 4, 0.5)).toEqual([0])
    expect(windowStarts(2, 5, 0)).toEqual([-1])
  })
})

describe('gaussianWeights', () => {
  it('is a separable Gaussian with σ = size/8 and peak 1, laid out [k][j][i]', () => {
    const w = gaussianWeights([5, 3, 1])
    expect(w.length).toBe(15)
    expect(w[2 + 5 * 1]).toBe(1) // centre (2, 1, 0)
    // i = 0: offset 2 with σ = 5/8 → exp(−4 / (2·25/64)) = exp(−5.12); j = 0: offset 1, σ = 3/8 → exp(−32/9).
    expect(w[0 + 5 * 1]).toBeCloseTo(Math.exp(-5.12), 7)
    expect(w[2 + 5 * 0]).toBeCloseTo(Math.exp(-32 / 9), 7)
    expect(w[4 + 5 * 2]).toBeCloseTo(Math.exp(-5.12 - 32 / 9), 7)
  })
})

describe('predictByWindows', () => {
  it('reconstructs the thresholded volume for several overlaps and volumes smaller than the patch', async () => {
    const cases: [number, number, number][] = [
      [9, 7, 6], // larger than the patch everywhere
      [3, 2, 5], // smaller along i and j
      [3, 3, 2], // smaller everywhere
    ]
    for (const dims of cases) {
      const image = randomImage(dims[0] * dims[1] * dims[2], dims[0])
      const expected = Uint8Array.from(image, threshold)
      for (const overlap of [0, 0.25, 0.5, 0.75]) {
        const shapes: (readonly number[])[] = []
        const labels = await predictByWindows({ dims, image }, { patchSize: [4, 4, 4], overlap, numClasses: 3, batchSize: 3 }, (p, shape) => {
          shapes.push([...shape])
          return thresholdNet(p)
        })
        expect(labels).toEqual(expected)
        const windows = dims.reduce((n, d) => n * windowStarts(d, 4, overlap).length, 1)
        expect(shapes.reduce((n, s) => n + s[0]!, 0)).toBe(windows)
        for (const s of shapes) expect(s.slice(1)).toEqual([4, 4, 4])
      }
    }
  })

  it('matches a float64 reference of Gaussian-weighted accumulation over the windows', async () => {
    // 7×6×5 volume, patch (4, 4, 3), overlap 0.5: starts i [0, 2, 3], j [0, 2], k [0, 1, 2] (by hand).
    const dims = [7, 6, 5] as const
    const patch = [4, 4, 3] as const
    const voxels = 7 * 6 * 5
    // Image = voxel index + 1, so the net can tell which window it sees (no padding: all dims ≥ patch).
    const image = Float32Array.from({ length: voxels }, (_, p) => p + 1)
    const score = (voxel: number, windowOrigin: number, c: number): number => {
      const h = Math.imul(voxel * 31 + windowOrigin * 1009 + c * 7919, 0x9e3779b1) >>> 0
      return (h % 10_000) / 10_000 + 1e-4
    }
    const labels = await predictByWindows({ dims, image }, { patchSize: patch, overlap: 0.5, numClasses: 3, batchSize: 4 }, async (patches, shape) => {
      const n = shape[0]
      const size = 4 * 4 * 3
      const out = new Float32Array(n * size * 3)
      for (let b = 0; b < n; b++) {
        const origin = patches[b * size]! - 1
        for (let q = 0; q < size; q++) for (let c = 0; c < 3; c++) out[(b * size + q) * 3 + c] = score(patches[b * size + q]! - 1, origin, c)
      }
      return out
    })
    const gauss = (x: number, n: number): number => Math.exp(-((x - (n - 1) / 2) ** 2) / (2 * (n / 8) ** 2))
    const weighted = new Float64Array(voxels * 3)
    const uniform = new Float64Array(voxels * 3)
    for (const sk of [0, 1, 2])
      for (const sj of [0, 2])
        for (const si of [0, 2, 3]) {
          const origin = si + 7 * (sj + 6 * sk)
          for (let z = 0; z < 3; z++)
            for (let y = 0; y < 4; y++)
              for (let x = 0; x < 4; x++) {
                const v = si + x + 7 * (sj + y + 6 * (sk + z))
                const w = gauss(x, 4) * gauss(y, 4) * gauss(z, 3)
                for (let c = 0; c < 3; c++) {
                  weighted[v * 3 + c]! += w * score(v, origin, c)
                  uniform[v * 3 + c]! += score(v, origin, c)
                }
              }
        }
    const argmax = (a: Float64Array, v: number): number => [0, 1, 2].reduce((best, c) => (a[v * 3 + c]! > a[v * 3 + best]! ? c : best), 0)
    let differsFromUniform = 0
    for (let v = 0; v < voxels; v++) {
      const sorted = [0, 1, 2].map((c) => weighted[v * 3 + c]!).sort((a, b) => b - a)
      // Skip float32-vs-float64 near-ties (none expected at these magnitudes, but a tie is not a bug).
      if (sorted[0]! - sorted[1]! > 1e-5 * sorted[0]!) expect(labels[v]).toBe(argmax(weighted, v))
      if (argmax(weighted, v) !== argmax(uniform, v)) differsFromUniform++
    }
    // The weighting matters on this case: a uniform average would label some voxels differently.
    expect(differsFromUniform).toBeGreaterThan(0)
  })

  it('rejects an overlap of 1 and a prediction of the wrong length', async () => {
    const volume = { dims: [4, 4, 4] as const, image: new Float32Array(64) }
    const opts = { patchSize: [4, 4, 4] as const, numClasses: 2, batchSize: 1 }
    await expect(predictByWindows(volume, { ...opts, overlap: 1 }, thresholdNet)).rejects.toThrow(RangeError)
    await expect(predictByWindows(volume, { ...opts, overlap: 0 }, async (p) => new Float32Array(p.length))).rejects.toThrow(RangeError)
  })
})
