// Normalisation layers on wasm against float64 loops (outputs and PyTorch's running-statistics update) and
// their gradients against central finite differences. The norms are not linear, so the difference quotient
// has a truncation error O(h²) besides float32 rounding O(ε/h): h = 1e-2 balances both, tolerance 1e-2 of
// the largest gradient magnitude (a wrong formula is off by order 1).
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { analyticGradients, numericGradients, randomArg, relativeError, type Arg } from '../kernels/finite-difference'
import { BN_MOMENTUM, NORM_EPSILON, batchNormInference, batchNormTraining, instanceNorm } from './normalisation'

const FD_H = 1e-2
const FD_TOLERANCE = 1e-2

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

/** Float64 normalisation of x [groups·rows, C]-like data: per channel over the rows of each group. */
function referenceNorm(x: Arg, gamma: Arg, beta: Arg, groups: number): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const c = x.shape[x.shape.length - 1] as number
  const rows = x.data.length / (c * groups)
  const y = new Float64Array(x.data.length)
  const mean = new Float64Array(groups * c)
  const variance = new Float64Array(groups * c)
  for (let g = 0; g < groups; g++)
    for (let k = 0; k < c; k++) {
      let s = 0
      for (let r = 0; r < rows; r++) s += x.data[(g * rows + r) * c + k] as number
      const m = s / rows
      let v = 0
      for (let r = 0; r < rows; r++) v += ((x.data[(g * rows + r) * c + k] as number) - m) ** 2
      v /= rows
      mean[g * c + k] = m
      variance[g * c + k] = v
      for (let r = 0; r < rows; r++) {
        const i = (g * rows + r) * c + k
        y[i] = ((gamma.data[k] as number) * ((x.data[i] as number) - m)) / Math.sqrt(v + NORM_EPSILON) + (beta.data[k] as number)
      }
    }
  return { y, mean, variance }
}

describe('batch norm', () => {
  it('normalises per channel over batch and space and updates the running statistics as PyTorch', () => {
    const rng = createRng(1)
    const x = randomArg(rng, [2, 3, 4, 3])
    for (let i = 0; i < x.data.length; i++) x.data[i] = 3 * (x.data[i] as number) + (i % 3) // per-channel offsets
    const gamma = randomArg(rng, [3])
    const beta = randomArg(rng, [3])
    const ref = referenceNorm(x, gamma, beta, 1)
    const running = { mean: tf.variable(tf.tensor1d([0.5, -1, 2]), false), variance: tf.variable(tf.tensor1d([1, 2, 0.5]), false) }
    const y = tf.tidy(() => batchNormTraining(tf.tensor(x.data, x.shape), tf.tensor(gamma.data), tf.tensor(beta.data), running).dataSync())
    expect(relativeError(y, ref.y)).toBeLessThan(1e-5)
    const m = 24
    const expectedMean = [0.5, -1, 2].map((r, k) => (1 - BN_MOMENTUM) * r + BN_MOMENTUM * (ref.mean[k] as number))
    const expectedVar = [1, 2, 0.5].map((r, k) => (1 - BN_MOMENTUM) * r + BN_MOMENTUM * ((ref.variance[k] as number) * m) / (m - 1))
    expect(relativeError(running.mean.dataSync(), expectedMean)).toBeLessThan(1e-5)
    expect(relativeError(running.variance.dataSync(), expectedVar)).toBeLessThan(1e-5)
    running.mean.dispose()
    running.variance.dispose()
  })

  it('in inference uses the running statistics', () => {
    const running = { mean: tf.variable(tf.tensor1d([1, -2]), false), variance: tf.variable(tf.tensor1d([4, 0.25]), false) }
    const y = tf.tidy(() => batchNormInference(tf.tensor([3, 0, 1, -2, -1, -1.5], [1, 3, 1, 2]), tf.tensor1d([2, 1]), tf.tensor1d([0.5, 0]), running).dataSync())
    const e = (x: number, m: number, v: number, g: number, b: number): number => (g * (x - m)) / Math.sqrt(v + NORM_EPSILON) + b
    const expected = [e(3, 1, 4, 2, 0.5), e(0, -2, 0.25, 1, 0), e(1, 1, 4, 2, 0.5), e(-2, -2, 0.25, 1, 0), e(-1, 1, 4, 2, 0.5), e(-1.5, -2, 0.25, 1, 0)]
    expect(relativeError(y, expected)).toBeLessThan(1e-6)
    running.mean.dispose()
    running.variance.dispose()
  })

  it('has gradients for x, gamma and beta that match finite differences (2D and 3D layouts)', () => {
    const rng = createRng(2)
    for (const shape of [
      [2, 3, 2, 3],
      [2, 2, 2, 2, 2],
    ]) {
      const c = shape[shape.length - 1] as number
      const args = [randomArg(rng, shape), randomArg(rng, [c]), randomArg(rng, [c])]
      const w = randomArg(rng, shape)
      const op = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => batchNormTraining(x, g, b)
      const analytic = analyticGradients(op, args, w)
      const numeric = numericGradients(op, args, w, FD_H)
      for (let i = 0; i < 3; i++) expect(relativeError(analytic[i]!, numeric[i]!)).toBeLessThan(FD_TOLERANCE)
    }
  })

  it('refuses a batch with one value per channel', () => {
    expect(() => tf.tidy(() => batchNormTraining(tf.ones([1, 1, 1, 2]), tf.ones([2]), tf.zeros([2])))).toThrow(/more than one value/)
  })
})

describe('instance norm', () => {
  it('normalises per sample and channel over space', () => {
    const rng = createRng(3)
    const x = randomArg(rng, [2, 2, 3, 2, 2])
    const gamma = randomArg(rng, [2])
    const beta = randomArg(rng, [2])
    const ref = referenceNorm(x, gamma, beta, 2)
    const y = tf.tidy(() => instanceNorm(tf.tensor(x.data, x.shape), tf.tensor(gamma.data), tf.tensor(beta.data)).dataSync())
    expect(relativeError(y, ref.y)).toBeLessThan(1e-5)
  })

  it('has gradients that match finite differences', () => {
    const rng = createRng(4)
    const args = [randomArg(rng, [2, 3, 2, 2]), randomArg(rng, [2]), randomArg(rng, [2])]
    const w = randomArg(rng, [2, 3, 2, 2])
    const op = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => instanceNorm(x, g, b)
    const analytic = analyticGradients(op, args, w)
    const numeric = numericGradients(op, args, w, FD_H)
    for (let i = 0; i < 3; i++) expect(relativeError(analytic[i]!, numeric[i]!)).toBeLessThan(FD_TOLERANCE)
  })
})
