// The project's fast ops against independent references: float64 loops for the values, central finite
// differences (on wasm) and the cpu backend's gradients of the plain TF.js formulation for the gradients.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { analyticGradients, evaluate, numericGradients, randomArg, relativeError, type Arg, type Op } from '../kernels/finite-difference'
import { batchNormTraining, channelMoments } from './batch-norm'
import { addChannelBias } from './channel-bias'
import { convOfConcat } from './conv-concat'
import { upConv2x } from './up-conv'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

/** Gradients of `op` on wasm against finite differences (step h) and against `reference` on cpu. */
async function checkGradients(op: Op, reference: Op, args: Arg[], h: number, fdTolerance: number): Promise<void> {
  const outShape = evaluate(op, args).shape
  const w = randomArg(createRng(99), outShape)
  const analytic = analyticGradients(op, args, w)
  const numeric = numericGradients(op, args, w, h)
  await tf.setBackend('cpu')
  const cpu = analyticGradients(reference, args, w)
  await tf.setBackend('wasm')
  analytic.forEach((g, i) => {
    expect(relativeError(g, numeric[i] as Float64Array), `argument ${i} vs finite differences`).toBeLessThan(fdTolerance)
    expect(relativeError(g, cpu[i] as Float32Array), `argument ${i} vs cpu`).toBeLessThan(1e-4)
  })
}

describe('batchNormTraining', () => {
  const rng = createRng(5)
  const x = randomArg(rng, [2, 3, 2, 3])
  const gamma = randomArg(rng, [3])
  const beta = randomArg(rng, [3])

  it('normalises each channel with the batch mean and biased variance (float64 reference)', () => {
    const y = evaluate((a, g, b) => batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), [x, gamma, beta]).data
    const c = 3
    const m = x.data.length / c
    for (let ch = 0; ch < c; ch++) {
      let mean = 0
      for (let i = ch; i < x.data.length; i += c) mean += x.data[i]! / m
      let variance = 0
      for (let i = ch; i < x.data.length; i += c) variance += (x.data[i]! - mean) ** 2 / m
      for (let i = ch; i < x.data.length; i += c) {
        const expected = ((x.data[i]! - mean) / Math.sqrt(variance + 1e-5)) * gamma.data[ch]! + beta.data[ch]!
        expect(y[i]).toBeCloseTo(expected, 5)
      }
    }
    const moments = tf.tidy(() => {
      const { mean, variance } = channelMoments(tf.tensor(x.data, x.shape))
      return [Array.from(mean.dataSync()), Array.from(variance.dataSync())]
    })
    expect(moments[0]).toHaveLength(3)
    expect(moments[1]![0]).toBeGreaterThan(0)
  })

  it('has the gradients of the plain formulation, in x, gamma and beta', async () => {
    // Not linear in x: a small step; the curvature error is O(h²).
    await checkGradients(
      (a, g, b) => batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3),
      (a, g, b) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2])
        return tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3)
      },
      [x, gamma, beta],
      1e-2,
      2e-3,
    )
  })

  it('refuses gamma of the wrong length', () => {
    expect(() => batchNormTraining(tf.zeros([1, 2, 2, 3]), tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D)).toThrow(/must be \[3\]/)
  })
})

describe('upConv2x', () => {
  it('equals conv2dTranspose (kernel 2, stride 2, same) and has its gradients, with bias', async () => {
    const rng = createRng(11)
    const x = randomArg(rng, [2, 3, 2, 3])
    const f = randomArg(rng, [2, 2, 4, 3])
    const b = randomArg(rng, [4])
    const reference: Op = (a, g, c) => tf.add(tf.conv2dTranspose(a as tf.Tensor4D, g as tf.Tensor4D, [2, 6, 4, 4], 2, 'same'), c!)
    const op: Op = (a, g, c) => upConv2x(a as tf.Tensor4D, g!, c as tf.Tensor1D)
    await tf.setBackend('cpu')
    const expected = evaluate(reference, [x, f, b])
    await tf.setBackend('wasm')
    const actual = evaluate(op, [x, f, b])
    expect(actual.shape).toEqual([2, 6, 4, 4])
    expect(relativeError(actual.data, expected.data)).toBeLessThan(1e-5)
    await checkGradients(op, reference, [x, f, b], 0.5, 1e-3)
  })

  it('3D: each output voxel is its input voxel times the filter tap of its position (float64 reference)', async () => {
    const rng = createRng(12)
    const x = randomArg(rng, [1, 2, 3, 2, 2])
    const f = randomArg(rng, [2, 2, 2, 3, 2])
    const y = evaluate((a, g) => upConv2x(a as tf.Tensor5D, g!), [x, f])
    expect(y.shape).toEqual([1, 4, 6, 4, 3])
    const [, d, h, w, ci] = x.shape as [number, number, number, number, number]
    const co = 3
    for (let z = 0; z < 2 * d; z++) for (let yy = 0; yy < 2 * h; yy++) for (let xx = 0; xx < 2 * w; xx++) for (let o = 0; o < co; o++) {
      let sum = 0
      for (let i = 0; i < ci; i++) {
        const xv = x.data[((Math.floor(z / 2) * h + Math.floor(yy / 2)) * w + Math.floor(xx / 2)) * ci + i]!
        const fv = f.data[((((z % 2) * 2 + (yy % 2)) * 2 + (xx % 2)) * co + o) * ci + i]!
        sum += xv * fv
      }
      expect(y.data[((z * 2 * h + yy) * 2 * w + xx) * co + o]).toBeCloseTo(sum, 5)
    }
    // No gradient reference exists (conv3dTranspose has none): finite differences alone.
    const w3 = randomArg(rng, y.shape)
    const op: Op = (a, g) => upConv2x(a as tf.Tensor5D, g!)
    const analytic = analyticGradients(op, [x, f], w3)
    const numeric = numericGradients(op, [x, f], w3, 0.5)
    analytic.forEach((g, i) => expect(relativeError(g, numeric[i] as Float64Array)).toBeLessThan(1e-3))
  })

  it('refuses a filter that is not 2×2 or does not match the input channels', () => {
    expect(() => upConv2x(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, tf.zeros([3, 3, 4, 3]))).toThrow(/must be \[2, 2, co, 3\]/)
    expect(() => upConv2x(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, tf.zeros([2, 2, 4, 2]))).toThrow(/must be/)
  })
})

describe('convOfConcat', () => {
  it.each([2, 3] as const)('%iD: equals the convolution of the concatenation, with its gradients', async (dims) => {
    const rng = createRng(20 + dims)
    const spatial = dims === 2 ? [3, 4] : [2, 3, 3]
    const k = dims === 2 ? [3, 3] : [3, 3, 3]
    const a = randomArg(rng, [2, ...spatial, 2])
    const b = randomArg(rng, [2, ...spatial, 1])
    const f = randomArg(rng, [...k, 3, 2])
    const conv = (t: tf.Tensor, g: tf.Tensor) => (dims === 2 ? tf.conv2d(t as tf.Tensor4D, g as tf.Tensor4D, 1, 'same') : tf.conv3d(t as tf.Tensor5D, g as tf.Tensor5D, 1, 'same'))
    const reference: Op = (p, q, g) => conv(tf.concat([p!, q!], -1), g!)
    const op: Op = (p, q, g) => convOfConcat([p as tf.Tensor4D, q as tf.Tensor4D], g!)
    await tf.setBackend('cpu')
    const expected = evaluate(reference, [a, b, f])
    await tf.setBackend('wasm')
    expect(relativeError(evaluate(op, [a, b, f]).data, expected.data)).toBeLessThan(1e-5)
    await checkGradients(op, reference, [a, b, f], 0.5, 1e-3)
  })

  it('refuses a filter whose input channels are not the parts’ sum', () => {
    expect(() => convOfConcat([tf.zeros([1, 2, 2, 2]) as tf.Tensor4D], tf.zeros([3, 3, 3, 1]))).toThrow(/3 input channels, the parts 2/)
  })
})

describe('addChannelBias', () => {
  it('adds the bias per channel and has the gradients of a broadcast add', async () => {
    const rng = createRng(31)
    const x = randomArg(rng, [2, 3, 2, 2, 3])
    const b = randomArg(rng, [3])
    const y = evaluate((a, c) => addChannelBias(a!, c as tf.Tensor1D), [x, b]).data
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(x.data[i]! + b.data[i % 3]!, 6)
    await checkGradients((a, c) => addChannelBias(a!, c as tf.Tensor1D), (a, c) => tf.add(a!, c!), [x, b], 0.5, 1e-3)
  })
})
