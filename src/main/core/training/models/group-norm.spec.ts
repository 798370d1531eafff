// Group norm against a float64 evaluation of nn.GroupNorm's definition (2D and 3D, one group, several, one
// channel per group), on wasm and cpu; its hand-written gradient against finite differences and the cpu
// backend for x, γ and β.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg, relativeError, wasmGradientErrors } from '../kernels/finite-difference'
import { GROUP_NORM_EPSILON, groupNorm } from './group-norm'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

/** nn.GroupNorm's definition, looped in float64: x [N, S…, C] (channels last), groups of C/G channels. */
function reference(x: Float32Array, shape: number[], gamma: Float32Array, beta: Float32Array, groups: number): Float64Array {
  const n = shape[0] as number
  const c = shape[shape.length - 1] as number
  const s = x.length / (n * c)
  const per = c / groups
  const out = new Float64Array(x.length)
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const at = (p: number, ch: number): number => (b * s + p) * c + g * per + ch
      let mean = 0
      for (let p = 0; p < s; p++) for (let ch = 0; ch < per; ch++) mean += x[at(p, ch)] as number
      mean /= s * per
      let variance = 0
      for (let p = 0; p < s; p++) for (let ch = 0; ch < per; ch++) variance += ((x[at(p, ch)] as number) - mean) ** 2
      variance /= s * per
      for (let p = 0; p < s; p++) {
        for (let ch = 0; ch < per; ch++) {
          const k = g * per + ch
          out[at(p, ch)] = (((x[at(p, ch)] as number) - mean) / Math.sqrt(variance + GROUP_NORM_EPSILON)) * (gamma[k] as number) + (beta[k] as number)
        }
      }
    }
  }
  return out
}

const cases: [number[], number][] = [
  [[2, 3, 4, 8], 8],
  [[2, 3, 4, 8], 2],
  [[1, 2, 2, 6], 1],
  [[2, 2, 3, 2, 4], 2],
  [[1, 1, 1, 2, 16], 8],
]

describe('groupNorm', () => {
  it('equals nn.GroupNorm in 2D and 3D for one, several and per-channel groups, on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend)
      for (const [k, [shape, groups]] of cases.entries()) {
        const c = shape[shape.length - 1] as number
        const x = randomArg(createRng(k + 1), shape)
        // An offset and a scale per sample, so the normalisation has something to remove.
        const data = x.data.map((v, i) => 3 * v + (i < x.data.length / 2 ? 5 : -2))
        const gamma = randomArg(createRng(k + 30), [c]).data
        const beta = randomArg(createRng(k + 60), [c]).data
        const y = tf.tidy(() => groupNorm(tf.tensor(data, shape), tf.tensor(gamma), tf.tensor(beta), groups))
        expect(y.shape).toEqual(shape)
        expect(relativeError(y.dataSync(), reference(data, shape, gamma, beta, groups)), `${backend} [${shape.join(', ')}] G ${groups}`).toBeLessThan(1e-5)
        y.dispose()
      }
    }
    await tf.setBackend('wasm')
  })

  it('has gradients for x, γ and β that match finite differences on wasm and the cpu backend', async () => {
    // Not linear in x: a small step (h = 1e-2: truncation ≈ h² ≈ 1e-4, float32 rounding ≈ 1e-7·Σ|w·y|/h ≈ 1e-4).
    for (const [k, [shape, groups]] of cases.entries()) {
      const c = shape[shape.length - 1] as number
      const args = [randomArg(createRng(k + 5), shape), randomArg(createRng(k + 35), [c]), randomArg(createRng(k + 65), [c])]
      const errors = await wasmGradientErrors((x, g, b) => groupNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, groups), args, shape, 90 + k, 1e-2)
      errors.againstFiniteDifferences.forEach((e, i) => expect(e, `[${shape.join(', ')}] G ${groups} argument ${i} vs finite differences`).toBeLessThan(5e-3))
      errors.againstCpu.forEach((e, i) => expect(e, `[${shape.join(', ')}] G ${groups} argument ${i} vs cpu`).toBeLessThan(1e-4))
    }
  })

  it('refuses channels that do not split into the groups, and leaves no tensors behind', () => {
    tf.tidy(() => {
      expect(() => groupNorm(tf.zeros([1, 2, 2, 6]), tf.ones([6]), tf.zeros([6]), 4)).toThrow(/6 channels do not split into 4 groups/)
      expect(() => groupNorm(tf.zeros([2, 6]), tf.ones([6]), tf.zeros([6]), 2)).toThrow(/rank ≥ 3/)
    })
    const before = tf.memory().numTensors
    const [x, g, b] = [tf.ones([2, 2, 2, 4]), tf.ones([4]), tf.zeros([4])]
    tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.square(groupNorm(a, c, d, 2))))([x, g, b]).forEach((t) => t.dispose())
    for (const t of [x, g, b]) t.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
