// Finite-difference checks of the project's 3D convolution kernels on wasm (Conv3D by depth slabs, and its
// Conv3DBackpropInputV2 / Conv3DBackpropFilterV2), for strides 1, 2 and mixed, 'same' and 'valid', and kernel
// shapes 1³, even/odd mixed and 3³ — plus the forward pass against a float64 loop reference.
//
// Tolerances as in conv2d-grads.spec.ts: 1e-3 of the largest gradient magnitude against finite differences
// (the loss is linear in each argument, so with h = 0.5 only float32 rounding, ≈ 1e-6, remains), 1e-4
// against the cpu backend's gradients and against the float64 reference.
//
// TF.js's own Conv3D (cpu) does not clamp a negative 'same' pad at 0, unlike TensorFlow and TF.js's 2D
// convolution: with a kernel smaller than the stride it shifts the window one voxel back. These kernels
// follow TensorFlow, so the cpu comparison is skipped exactly there; the loop reference still checks them.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { axisGeometry, UnsupportedConvolutionError, type Padding } from './conv-geometry'
import { CPU_TOLERANCE, FD_TOLERANCE } from './gradient-check.spec-helpers'
import { analyticGradients, evaluate, numericGradients, randomArg, relativeError, type Arg, type Op } from './finite-difference'

const H = 0.5

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

/** A float64 loop 3D convolution with TensorFlow's 'same' (pads clamped at 0). */
function referenceConv3d(x: Arg, f: Arg, s: readonly number[], pad: Padding): Float64Array {
  const [n, d, h, w, ci] = x.shape as [number, number, number, number, number]
  const [kd, kh, kw, , co] = f.shape as [number, number, number, number, number]
  const g = [axisGeometry(d, kd, s[0]!, pad), axisGeometry(h, kh, s[1]!, pad), axisGeometry(w, kw, s[2]!, pad)] as const
  const [od, oh, ow] = [g[0].out, g[1].out, g[2].out]
  const out = new Float64Array(n * od * oh * ow * co)
  let o = 0
  for (let b = 0; b < n; b++)
    for (let z = 0; z < od; z++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++)
          for (let c = 0; c < co; c++, o++) {
            let sum = 0
            for (let a = 0; a < kd; a++)
              for (let p = 0; p < kh; p++)
                for (let q = 0; q < kw; q++) {
                  const iz = z * s[0]! + a - g[0].before
                  const iy = y * s[1]! + p - g[1].before
                  const ix = xx * s[2]! + q - g[2].before
                  if (iz < 0 || iz >= d || iy < 0 || iy >= h || ix < 0 || ix >= w) continue
                  for (let k = 0; k < ci; k++) {
                    sum += (x.data[((((b * d + iz) * h + iy) * w + ix) * ci + k)] as number) * (f.data[((((a * kh + p) * kw + q) * ci + k) * co + c)] as number)
                  }
                }
            out[o] = sum
          }
  return out
}

const strides: [number, number, number][] = [[1, 1, 1], [2, 2, 2], [2, 1, 3]]
const pads = ['same', 'valid'] as const
const kernels: [number, number, number][] = [[1, 1, 1], [2, 3, 2], [3, 3, 3]]
const cases = strides.flatMap((s) => pads.flatMap((pad) => kernels.map((k) => ({ s, pad, k }))))

describe('conv3d by depth slabs and its gradients', () => {
  it.each(cases)('stride $s, $pad, kernel $k', async ({ s, pad, k }) => {
    const rng = createRng(s[0] * 100 + s[1] * 10 + s[2] + k[0] * 1000 + k[1] * 7 + (pad === 'same' ? 50_000 : 0))
    const x = randomArg(rng, [1, 5, 4, 5, 2])
    const f = randomArg(rng, [...k, 2, 2])
    const out = [1, axisGeometry(5, k[0], s[0], pad).out, axisGeometry(4, k[1], s[1], pad).out, axisGeometry(5, k[2], s[2], pad).out, 2]
    const op: Op = (a, b) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, s, pad)
    const w = randomArg(rng, out)

    expect(relativeError(evaluate(op, [x, f]).data, referenceConv3d(x, f, s, pad)), 'forward vs loop reference').toBeLessThan(CPU_TOLERANCE)
    const analytic = analyticGradients(op, [x, f], w)
    const numeric = numericGradients(op, [x, f], w, H)
    analytic.forEach((g, i) => expect(relativeError(g, numeric[i] as Float64Array), `argument ${i} vs finite differences`).toBeLessThan(FD_TOLERANCE))

    const tfjsShifts = pad === 'same' && k.some((kk, i) => kk < s[i]! && (out[i + 1]! - 1) * s[i]! + kk < [5, 4, 5][i]!)
    if (!tfjsShifts) {
      await tf.setBackend('cpu')
      const reference = analyticGradients(op, [x, f], w)
      await tf.setBackend('wasm')
      analytic.forEach((g, i) => expect(relativeError(g, reference[i] as Float32Array), `argument ${i} vs cpu`).toBeLessThan(CPU_TOLERANCE))
    }
  })

  it('refuses dilation rather than computing it', () => {
    const x = tf.ones([1, 5, 5, 5, 1]) as tf.Tensor5D
    const f = tf.ones([2, 2, 2, 1, 1]) as tf.Tensor5D
    expect(() => tf.conv3d(x, f, 1, 'valid', 'NDHWC', 2)).toThrow(UnsupportedConvolutionError)
    tf.dispose([x, f])
  })

  it('leaves no tensors behind', () => {
    const x = tf.ones([1, 4, 5, 5, 2]) as tf.Tensor5D
    const f = tf.ones([3, 3, 3, 2, 2]) as tf.Tensor5D
    const before = tf.memory().numTensors
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 2, 'same'))([x, f])
    tf.dispose([gx!, gf!])
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, f])
  })
})
