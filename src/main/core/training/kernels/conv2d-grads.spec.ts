// Finite-difference checks of the project's 2D convolution kernels on wasm, for every stride (1, 2, 3,
// mixed), padding ('same', 'valid') and kernel shape (1×1, even, odd, rectangular) class they accept, plus the
// conv2dTranspose path whose forward pass is the replaced Conv2DBackpropInput.
//
// Tolerances: against finite differences, 1e-3 of the gradient's largest magnitude. The loss is linear in
// each argument, so with h = 0.5 the difference quotient's only error is float32 rounding of the forward
// sums, ≈ 1e-6 here; a wrong tap, shift or stride gives errors of order 1. Against the cpu backend's analytic
// gradients (a second, independent implementation), 1e-4: both are float32 sums of the same few terms.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg, relativeError, type Op } from './finite-difference'
import { CPU_TOLERANCE, expectWasmGradients } from './gradient-check.spec-helpers'
import { axisGeometry, UnsupportedConvolutionError } from './conv-geometry'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const strides: [number, number][] = [[1, 1], [2, 2], [3, 3], [1, 2]]
const pads = ['same', 'valid'] as const
const kernels: [number, number][] = [[1, 1], [2, 2], [3, 3], [2, 3]]
const cases = strides.flatMap((s) => pads.flatMap((pad) => kernels.map((k) => ({ s, pad, k }))))

describe('conv2d gradients through the project kernels (Conv2DBackpropInput, Conv2DBackpropFilter)', () => {
  it.each(cases)('stride $s, $pad, kernel $k', async ({ s, pad, k }) => {
    const rng = createRng(s[0] * 100 + s[1] * 10 + k[0] + k[1] * 7 + (pad === 'same' ? 1000 : 0))
    const x = randomArg(rng, [2, 5, 6, 2])
    const f = randomArg(rng, [k[0], k[1], 2, 2])
    const out = [2, axisGeometry(5, k[0], s[0], pad).out, axisGeometry(6, k[1], s[1], pad).out, 2]
    const op: Op = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad)
    await expectWasmGradients(op, [x, f], out, rng.int(1 << 30))
  })
})

describe('conv2dTranspose (forward is Conv2DBackpropInput) and its gradients', () => {
  const tcases = ([[1, 1], [2, 2]] as [number, number][]).flatMap((s) => pads.flatMap((pad) => ([[2, 2], [3, 3]] as [number, number][]).map((k) => ({ s, pad, k }))))
  it.each(tcases)('stride $s, $pad, kernel $k', async ({ s, pad, k }) => {
    const rng = createRng(7 + s[0] * 10 + k[0] + (pad === 'same' ? 100 : 0))
    // The transposed conv maps [2, oh, ow, 2] back to the [2, 6, 7, 3] input of the matching conv2d.
    const outShape: [number, number, number, number] = [2, 6, 7, 3]
    const x = randomArg(rng, [2, axisGeometry(6, k[0], s[0], pad).out, axisGeometry(7, k[1], s[1], pad).out, 2])
    const f = randomArg(rng, [k[0], k[1], 3, 2])
    const op: Op = (a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, s, pad)
    await expectWasmGradients(op, [x, f], outShape, rng.int(1 << 30))
  })
})

describe("forward conv2d with 'same' padding (stock wasm kernels wrapped to use explicit pads)", () => {
  // Stock wasm returned wrong values for stride 3, kernel 2, width 6; this sweeps the neighbourhood.
  const fcases = [1, 2, 3].flatMap((s) => [1, 2, 3].flatMap((k) => [5, 6, 7].map((n) => ({ s, k, n }))))
  it.each(fcases)('stride $s, kernel $k, size $n matches cpu (plain and fused)', async ({ s, k, n }) => {
    const rng = createRng(s * 100 + k * 10 + n)
    const x = randomArg(rng, [1, n, n + 1, 2])
    const f = randomArg(rng, [k, k, 2, 3])
    const run = (fused: boolean): Float32Array =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x.data, x.shape as [number, number, number, number])
        const ft = tf.tensor4d(f.data, f.shape as [number, number, number, number])
        const y = fused ? tf.fused.conv2d({ x: xt, filter: ft, strides: s, pad: 'same', bias: tf.ones([3]) }) : tf.conv2d(xt, ft, s, 'same')
        return y.dataSync() as Float32Array
      })
    await tf.setBackend('cpu')
    const expected = [run(false), run(true)]
    await tf.setBackend('wasm')
    expect(relativeError(run(false), expected[0] as Float32Array)).toBeLessThan(CPU_TOLERANCE)
    expect(relativeError(run(true), expected[1] as Float32Array)).toBeLessThan(CPU_TOLERANCE)
  })
})

describe('what the project kernels refuse', () => {
  it('refuses numeric padding rather than computing it', () => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D
    const f = tf.ones([3, 3, 1, 1]) as tf.Tensor4D
    const grad = () => tf.grad((a: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, f, 1, 1))(x)
    expect(grad).toThrow(UnsupportedConvolutionError)
    tf.dispose([x, f])
  })

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors
    const x = tf.ones([1, 6, 6, 2]) as tf.Tensor4D
    const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))([x, f])
    tf.dispose([x, f, gx!, gf!])
    expect(tf.memory().numTensors).toBe(before)
  })
})
