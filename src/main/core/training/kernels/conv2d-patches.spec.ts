// Convolutions whose kernel tiles the input (kernel = stride, no padding: the U-Net's 2×2 stride-2 transposed
// conv and its gradients) run as matrix products (conv2d-patches.ts). Checked on wasm, through the registered
// kernels, against finite differences and the cpu backend, for square, rectangular and 3×3 tilings under
// 'valid' and 'same' (which pads nothing when the kernel tiles), plus the forward Conv2D against cpu.
// Tolerances as in conv2d-grads.spec.ts: the loss is linear in each argument, so with h = 0.5 finite
// differences err only by float32 rounding (≈1e-6); a wrong tap or patch order gives errors of order 1.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { isPatchConv } from './conv2d-patches'
import { randomArg, relativeError, type Op } from './finite-difference'
import { CPU_TOLERANCE, expectWasmGradients } from './gradient-check.spec-helpers'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

// [kernel = stride, input h×w]: each tiles its input exactly.
const tilings: { k: [number, number]; hw: [number, number] }[] = [
  { k: [2, 2], hw: [4, 6] },
  { k: [2, 3], hw: [4, 6] },
  { k: [3, 3], hw: [6, 3] },
]
const cases = tilings.flatMap((t) => (['valid', 'same'] as const).map((pad) => ({ ...t, pad })))

describe('isPatchConv', () => {
  it('accepts exact tilings and refuses overlaps, remainders, padding and 1×1', () => {
    expect(isPatchConv([4, 6], [2, 2], [2, 2], 'valid')).toBe(true)
    expect(isPatchConv([4, 6], [2, 2], [2, 2], 'same')).toBe(true)
    expect(isPatchConv([5, 6], [2, 2], [2, 2], 'valid')).toBe(false)
    expect(isPatchConv([5, 6], [2, 2], [2, 2], 'same')).toBe(false)
    expect(isPatchConv([4, 6], [3, 3], [2, 2], 'valid')).toBe(false)
    expect(isPatchConv([4, 6], [1, 1], [1, 1], 'valid')).toBe(false)
  })
})

describe('patch convolutions through the registered kernels', () => {
  it.each(cases)('conv2d kernel=stride $k, input $hw, $pad: both gradients', async ({ k, hw, pad }) => {
    const rng = createRng(k[0] * 10 + k[1] + hw[0] * 100 + (pad === 'same' ? 1000 : 0))
    expect(isPatchConv(hw, k, k, pad)).toBe(true)
    const x = randomArg(rng, [2, hw[0], hw[1], 3])
    const f = randomArg(rng, [k[0], k[1], 3, 2])
    const op: Op = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, k, pad)
    await expectWasmGradients(op, [x, f], [2, hw[0] / k[0], hw[1] / k[1], 2], rng.int(1 << 30))
  })

  it.each(cases)('conv2dTranspose kernel=stride $k, output $hw, $pad: forward and both gradients', async ({ k, hw, pad }) => {
    const rng = createRng(7 + k[0] * 10 + k[1] + hw[0] * 100 + (pad === 'same' ? 1000 : 0))
    const outShape: [number, number, number, number] = [2, hw[0], hw[1], 3]
    const x = randomArg(rng, [2, hw[0] / k[0], hw[1] / k[1], 2])
    const f = randomArg(rng, [k[0], k[1], 3, 2])
    const op: Op = (a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, k, pad)
    await expectWasmGradients(op, [x, f], outShape, rng.int(1 << 30))
  })

  it.each(cases)('forward conv2d kernel=stride $k, input $hw, $pad matches cpu', async ({ k, hw, pad }) => {
    const rng = createRng(11 + k[0] * 10 + k[1] + hw[0] * 100)
    const x = randomArg(rng, [2, hw[0], hw[1], 3])
    const f = randomArg(rng, [k[0], k[1], 3, 4])
    const run = (): Float32Array => tf.tidy(() => tf.conv2d(tf.tensor4d(x.data, x.shape as [number, number, number, number]), tf.tensor4d(f.data, f.shape as [number, number, number, number]), k, pad).dataSync() as Float32Array)
    await tf.setBackend('cpu')
    const expected = run()
    await tf.setBackend('wasm')
    expect(relativeError(run(), expected)).toBeLessThan(CPU_TOLERANCE)
  })

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D
    const f = tf.ones([2, 2, 2, 3]) as tf.Tensor4D
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid'))([x, f])
    tf.dispose([x, f, gx!, gf!])
    expect(tf.memory().numTensors).toBe(before)
  })
})
