// The max-pool gradient: a hand-worked grid, and TF.js's gradient on wasm (with the project's kernel) equal to
// cpu's for signed inputs, overlapping and padded windows — the stock wasm kernel dropped every window whose
// maximum was ≤ 0.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { maxPool2dGradient } from './maxpool-grad'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

describe('maxPool2dGradient', () => {
  it('routes each window to its first maximum, negative windows included (hand-worked 4×4, 2×2 stride 2)', () => {
    // Windows: TL {-1,-2,1,2} → 1 at (1,0)… as laid out below; BR {-8,-9,-2,-3} → -2 at (3,2).
    const x = new Float32Array([-1, -2, -3, -4, 1, 2, 3, -5, -6, -7, -8, -9, 0.5, -1, -2, -3])
    const dy = new Float32Array([10, 20, 30, 40])
    const dx = maxPool2dGradient(x, dy, { batch: 1, inHeight: 4, inWidth: 4, channels: 1, outHeight: 2, outWidth: 2, strideHeight: 2, strideWidth: 2, filterHeight: 2, filterWidth: 2, padTop: 0, padLeft: 0 })
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 0, 10, 20, 0, 0, 0, 0, 0, 30, 0, 40, 0])
  })

  it('sums the gradients of overlapping windows and takes the first of equal maxima', () => {
    // 1×3, window 2 stride 1, no pad: windows {5, 5} (first wins) and {5, 1}.
    const dx = maxPool2dGradient(new Float32Array([5, 5, 1]), new Float32Array([1, 2]), { batch: 1, inHeight: 1, inWidth: 3, channels: 1, outHeight: 1, outWidth: 2, strideHeight: 1, strideWidth: 1, filterHeight: 1, filterWidth: 2, padTop: 0, padLeft: 0 })
    expect(Array.from(dx)).toEqual([1, 2, 0])
  })

  it("gives TF.js's wasm gradient of signed pools equal to cpu's (2×2 s2 valid, 3×3 s1 same, 3×3 s2 same, odd sizes)", async () => {
    const rng = createRng(3)
    const cases: [number[], number, number, 'valid' | 'same'][] = [
      [[2, 6, 8, 3], 2, 2, 'valid'],
      [[2, 5, 7, 4], 3, 1, 'same'],
      [[1, 7, 5, 2], 3, 2, 'same'],
    ]
    for (const [shape, size, stride, pad] of cases) {
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1.5)
      const weights = Float32Array.from({ length: values.length }, () => rng.next())
      const gradient = (): Float32Array =>
        tf.tidy(() => {
          const x = tf.tensor4d(values, shape as [number, number, number, number])
          const pooledShape = tf.maxPool(x, size, stride, pad).shape
          const w = tf.tensor(weights.slice(0, pooledShape.reduce((a, b) => a * b, 1)), pooledShape)
          const f = (v: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, size, stride, pad), w))
          return tf.grad(f)(x).dataSync() as Float32Array
        })
      const onWasm = gradient()
      await tf.setBackend('cpu')
      const onCpu = gradient()
      await tf.setBackend('wasm')
      const label = `${shape} ${size}/${stride} ${pad}`
      // The same inputs get gradient (the routing), and the same sums up to the order they were added in.
      expect(Array.from(onWasm, (v) => v !== 0), label).toEqual(Array.from(onCpu, (v) => v !== 0))
      for (let i = 0; i < onCpu.length; i++) expect(Math.abs((onWasm[i] as number) - (onCpu[i] as number)), `${label} [${i}]`).toBeLessThan(1e-5)
    }
  })
})
