// Bilinear resizing as PyTorch's align_corners=False: the interpolation weights by hand, the forward pass against
// TF.js's resizeBilinear with half-pixel centres (up, down, non-square, odd ratios), and its gradient against finite
// differences on wasm and against the cpu backend (TF.js's own resize gradient fails both; see resize.ts).
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg, relativeError, wasmGradientErrors } from '../kernels/finite-difference'
import { bilinearWeights, resizeBilinear } from './resize'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

describe('resizeBilinear', () => {
  it("has torch's interpolation weights: 2 → 4 reads sources 0, 0.25, 0.75, 1.25 (clamped at both ends)", () => {
    expect(Array.from(bilinearWeights(2, 4))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1])
    // 4 → 2 (down by 2): sources 0.5 and 2.5, the mean of each pair.
    expect(Array.from(bilinearWeights(4, 2))).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5])
    // Every row sums to 1; 1 → 3 copies.
    expect(Array.from(bilinearWeights(1, 3))).toEqual([1, 1, 1])
    const rows = bilinearWeights(5, 7)
    for (let o = 0; o < 7; o++) expect(rows.slice(o * 5, o * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
    expect(() => bilinearWeights(0, 2)).toThrow(/positive integer sizes/)
  })

  it("equals TF.js's resizeBilinear with half-pixel centres (torch's align_corners=False) going up, down and odd", async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend)
      for (const [shape, size] of [
        [[2, 4, 4, 3], [16, 16]],
        [[1, 2, 8, 2], [8, 32]],
        [[2, 8, 6, 1], [4, 3]],
        [[1, 3, 5, 2], [7, 9]],
        [[1, 4, 4, 2], [4, 8]],
      ] as [number[], [number, number]][]) {
        tf.tidy(() => {
          const x = tf.tensor4d(randomArg(createRng(1), shape).data, shape as [number, number, number, number])
          const ours = resizeBilinear(x, size)
          expect(ours.shape).toEqual([shape[0], ...size, shape[3]])
          expect(relativeError(ours.dataSync(), tf.image.resizeBilinear(x, size, false, true).dataSync()), `${shape} → ${size} on ${backend}`).toBeLessThan(1e-6)
        })
      }
    }
    await tf.setBackend('wasm')
    const x = tf.ones([1, 4, 4, 1])
    expect(resizeBilinear(x, [4, 4])).toBe(x)
    expect(() => resizeBilinear(tf.ones([4, 4, 1]), [8, 8])).toThrow(/takes \[N, H, W, C\]/)
    x.dispose()
  })

  it('has a gradient that matches finite differences on wasm and the cpu backend (non-square, up and down)', async () => {
    for (const [shape, size] of [
      [[2, 3, 5, 2], [12, 10]],
      [[1, 8, 4, 3], [2, 3]],
    ] as [number[], [number, number]][]) {
      const errors = await wasmGradientErrors((x) => resizeBilinear(x as tf.Tensor, size), [randomArg(createRng(2), shape)], [shape[0] as number, ...size, shape[3] as number], 4)
      expect(errors.againstFiniteDifferences[0]).toBeLessThan(1e-3)
      expect(errors.againstCpu[0]).toBeLessThan(1e-6)
    }
  })
})
