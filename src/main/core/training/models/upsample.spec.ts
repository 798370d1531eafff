// Linear ×2 up-sampling (align_corners False) against a direct evaluation of PyTorch's formula, on wasm and
// cpu, 2D and 3D with unequal axes (TF.js's own resizeBilinear gradient swaps H and W on cpu when H ≠ W and
// is wrong on wasm); its hand-written gradient against finite differences and the cpu backend.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg, relativeError } from '../kernels/finite-difference'
import { expectWasmGradients } from '../kernels/gradient-check.spec-helpers'
import { upsampleLinear2x } from './upsample'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

/** PyTorch's source coordinate for output o of a ×2 linear resize, align_corners False: (o + ½)/2 − ½, ≥ 0. */
function taps(o: number, n: number): [number, number, number] {
  const src = Math.max((o + 0.5) / 2 - 0.5, 0)
  const i0 = Math.floor(src)
  return [i0, Math.min(i0 + 1, n - 1), src - i0]
}

/** The reference: every output voxel as the (bi/tri)linear blend of its input neighbours, in float64. */
function reference(data: Float32Array, shape: number[]): Float64Array {
  const [n, ...rest] = shape as [number, ...number[]]
  const c = rest[rest.length - 1] as number
  const spatial = rest.slice(0, -1)
  const outSpatial = spatial.map((s) => 2 * s)
  const outSize = outSpatial.reduce((a, b) => a * b, 1)
  const out = new Float64Array(n * outSize * c)
  const strides = spatial.map((_, a) => spatial.slice(a + 1).reduce((p, q) => p * q, 1) * c)
  const index = new Array<number>(spatial.length).fill(0)
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outSize; o++) {
      let rem = o
      for (let a = spatial.length - 1; a >= 0; a--) {
        index[a] = rem % (outSpatial[a] as number)
        rem = Math.floor(rem / (outSpatial[a] as number))
      }
      const perAxis = index.map((i, a) => taps(i, spatial[a] as number))
      for (let ch = 0; ch < c; ch++) {
        let sum = 0
        for (let corner = 0; corner < 2 ** spatial.length; corner++) {
          let weight = 1
          let at = b * (spatial.reduce((p, q) => p * q, 1) * c) + ch
          perAxis.forEach(([i0, i1, l], a) => {
            const upper = (corner >> a) & 1
            weight *= upper ? l : 1 - l
            at += (upper ? i1 : i0) * (strides[a] as number)
          })
          sum += weight * (data[at] as number)
        }
        out[(b * outSize + o) * c + ch] = sum
      }
    }
  }
  return out
}

const cases: number[][] = [
  [2, 3, 5, 2],
  [1, 1, 4, 1],
  [2, 2, 3, 4, 3],
  [1, 3, 1, 2, 1],
]

describe('upsampleLinear2x', () => {
  it('equals PyTorch-style linear interpolation (align_corners False) in 2D and 3D, on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend)
      for (const [k, shape] of cases.entries()) {
        const x = randomArg(createRng(k + 1), shape)
        const y = tf.tidy(() => upsampleLinear2x(tf.tensor(x.data, x.shape)))
        expect(y.shape).toEqual([shape[0], ...shape.slice(1, -1).map((s) => 2 * s), shape[shape.length - 1]])
        expect(relativeError(y.dataSync(), reference(x.data, shape)), `${backend} [${shape.join(', ')}]`).toBeLessThan(1e-6)
        y.dispose()
      }
    }
    await tf.setBackend('wasm')
  })

  it('has a gradient that matches finite differences on wasm and the cpu backend, 2D and 3D', async () => {
    for (const [k, shape] of cases.entries()) {
      const outShape = [shape[0] as number, ...shape.slice(1, -1).map((s) => 2 * s), shape[shape.length - 1] as number]
      await expectWasmGradients((x) => upsampleLinear2x(x), [randomArg(createRng(10 + k), shape)], outShape, 20 + k)
    }
  })

  it('refuses a rank it does not up-sample and leaves no tensors behind', () => {
    expect(() => upsampleLinear2x(tf.zeros([2, 3, 1]))).toThrow(/\[N, H, W, C\] or \[N, D, H, W, C\], got shape \[2, 3, 1\]/)
    const before = tf.memory().numTensors
    const x = tf.ones([1, 2, 2, 2, 1])
    tf.grad((t: tf.Tensor) => tf.sum(upsampleLinear2x(t)))(x).dispose()
    x.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
