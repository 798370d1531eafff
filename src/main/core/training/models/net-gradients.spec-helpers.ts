// Whole-net gradient checks for the model specs, entry by entry (model-checks.spec-helpers.ts checks along random
// directions): the analytic gradient of L = Σ w·net(x) (training mode) with respect to one named weight, against
// central finite differences at a few of its entries (evenly spread, so a large filter costs a few forward passes,
// not thousands), each weight at its own step. L is summed in float64 in JS.
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../random/rng'
import { randomArg, relativeError } from '../kernels/finite-difference'
import type { ConfiguredNet } from './unet'

export interface NetGradientCheck {
  /** Fixed input of the net. */
  readonly input: tf.Tensor
  /**
   * Weights to check, by name, each with its finite-difference step: through ReLU kinks and small norm groups the
   * first layers want a smaller step (kinks crossed) than the later ones (float32 rounding ≈ ε·Σ|w·y|/h).
   */
  readonly steps: ReadonlyMap<string, number>
  /** Seed of the random output weighting w. */
  readonly seed: number
  /** Entries checked per weight (all of them when it has fewer). */
  readonly samples: number
}

/** Σ w·y in float64. */
function weightedSum(y: tf.Tensor, w: Float32Array): number {
  const data = y.dataSync()
  let sum = 0
  for (let i = 0; i < data.length; i++) sum += (w[i] as number) * (data[i] as number)
  return sum
}

/** Largest error of the analytic gradient at the sampled entries, relative to their largest magnitude, per name. */
export function netGradientErrors(net: ConfiguredNet, check: NetGradientCheck): Map<string, number> {
  const outShape = [...check.input.shape.slice(0, -1), net.numClasses]
  const w = randomArg(createRng(check.seed), outShape).data
  const errors = new Map<string, number>()
  for (const [name, h] of check.steps) {
    const v = net.weights.get(name)
    if (!v) throw new Error(`no weight ${name}`)
    const original = v.dataSync().slice() as Float32Array
    const analytic = tf.tidy(() => {
      const weighting = tf.tensor(w, outShape)
      const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(check.input, true), weighting)) as tf.Scalar, [v]).grads[v.name]
      return (g as tf.Tensor).dataSync() as Float32Array
    })
    const count = Math.min(check.samples, original.length)
    const indices = Array.from({ length: count }, (_, i) => Math.floor((i * original.length) / count))
    const numeric = indices.map((index) => {
      const at = (delta: number): number => {
        const data = original.slice()
        data[index] = (data[index] as number) + delta
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)))
        return tf.tidy(() => weightedSum(net.apply(check.input, true), w))
      }
      return (at(h) - at(-h)) / (2 * h)
    })
    tf.tidy(() => v.assign(tf.tensor(original, v.shape)))
    errors.set(name, relativeError(indices.map((i) => analytic[i] as number), numeric))
  }
  return errors
}
