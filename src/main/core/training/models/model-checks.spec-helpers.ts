/**
 * Checks the model specs share: the directional finite-difference check of whole-net weight gradients (the transformer
 * models' specs, unetr.spec.ts and segformer.spec.ts), each weight's gradient magnitude, the sum of a net's trainable
 * sizes and its weights' values.
 */
import * as tf from '@tensorflow/tfjs'
import { expect } from 'vitest'
import { createRng, type Rng } from '../../random/rng'
import { numericGradients, randomArg, relativeError, type Arg } from '../kernels/finite-difference'
import type { SegmentationNet } from '../types'

/** The directional derivatives of one weight, analytic and by central differences. */
export interface DirectionalCheck {
  readonly analytic: number[]
  /** The difference quotients at the step that agreed best. */
  readonly numeric: number[]
  /** That step. */
  readonly h: number
  /** relativeError(analytic, numeric): the worst difference against the largest derivative. */
  readonly error: number
}

/** A direction with entries drawn uniform in [−1, 1), scaled to unit length. */
function unitDirection(rng: Rng, shape: number[]): Arg {
  const u = randomArg(rng, shape)
  let norm = 0
  for (const v of u.data) norm += v * v
  norm = Math.sqrt(norm)
  return { shape, data: u.data.map((v) => v / norm) }
}

/**
 * Finite differences of L = Σ w·net(x) (training mode) along `directions` random unit directions u of the weight
 * `name`: numerically, (L(W + h·u) − L(W − h·u))/2h through finite-difference.ts's numericGradients on the scalar
 * step; analytically, ⟨∇_W L, u⟩ from tf.variableGrads. A whole weight is checked with two forward passes per
 * direction and step instead of two per element. In float32 no one step suits every weight of a deep net (rounding
 * in L grows as 1/h, curvature and kinks as h or h²), so each of `steps` is tried and the best agreement is reported:
 * a wrong gradient agrees at none. The weight is restored afterwards.
 */
export function directionalCheck(net: SegmentationNet, name: string, x: tf.Tensor, outputWeights: Arg, options: { steps: readonly number[]; directions: number; seed: number }): DirectionalCheck {
  const v = net.weights.get(name)
  if (!v) throw new Error(`no weight '${name}'`)
  const original = v.dataSync().slice() as Float32Array
  const rng = createRng(options.seed)
  const directions = Array.from({ length: options.directions }, () => unitDirection(rng, [...v.shape]))
  try {
    const analytic = directions.map((u) =>
      tf.tidy(() => {
        v.assign(tf.tensor(original, v.shape))
        const w = tf.tensor(outputWeights.data, outputWeights.shape)
        const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(x, true), w)) as tf.Scalar, [v]).grads[v.name] as tf.Tensor
        return tf.sum(tf.mul(g, tf.tensor(u.data, u.shape))).dataSync()[0] as number
      }),
    )
    let best: DirectionalCheck | null = null
    for (const h of options.steps) {
      const numeric = directions.map((u) => {
        const step = (t: tf.Tensor): tf.Tensor => {
          v.assign(tf.add(tf.tensor(original, v.shape), tf.mul(t, tf.tensor(u.data, u.shape))))
          return net.apply(x, true)
        }
        return (numericGradients(step, [{ shape: [1], data: new Float32Array([0]) }], outputWeights, h)[0] as Float64Array)[0] as number
      })
      const error = relativeError(analytic, numeric)
      if (best === null || error < best.error) best = { analytic, numeric, h, error }
    }
    if (best === null) throw new Error('directionalCheck needs at least one step')
    return best
  } finally {
    tf.tidy(() => v.assign(tf.tensor(original, v.shape)))
  }
}

/**
 * Every weight has a nonzero gradient of L = Σ (net(x) − target)² for a random input of `shape`. (Not "above 1e-4 of
 * the largest": in the transformers the gradients span more than that at init — the queries' and the skip
 * projections' are 1e-5 of the output layers'.)
 */
export function expectEveryGradientNonzero(net: SegmentationNet, shape: number[]): void {
  const x = tf.tensor(randomArg(createRng(5), shape).data, shape)
  const target = tf.tensor(randomArg(createRng(9), [...shape.slice(0, -1), net.numClasses]).data, [...shape.slice(0, -1), net.numClasses])
  const magnitudes = gradientMagnitudes(net, x, target)
  tf.dispose([x, target])
  expect(magnitudes.size).toBe(net.weights.size)
  for (const [name, m] of magnitudes) expect(m, name).toBeGreaterThan(0)
}

/** Every named weight passes {@link directionalCheck} (two directions) within `tolerance`. */
export function expectDirectionalChecks(net: SegmentationNet, names: readonly string[], x: tf.Tensor, outputWeights: Arg, options: { steps: readonly number[]; tolerance: number }): void {
  for (const name of names) {
    const check = directionalCheck(net, name, x, outputWeights, { steps: options.steps, directions: 2, seed: 8 })
    expect(check.error, `${name}: analytic ${check.analytic} numeric ${check.numeric} at h ${check.h}`).toBeLessThan(options.tolerance)
  }
}

/**
 * Adam (lr `lr`) on one batch of `shape` [N, …, 1] whose label is a ball around each sample's centre (a shifted one
 * for the second sample) and whose image is that label plus noise: the cross-entropy after `steps` steps is below
 * `fraction` of the first step's. Returns the losses.
 */
export function expectOverfitsOneBatch(net: SegmentationNet, shape: number[], options: { steps: number; lr: number; fraction: number }): number[] {
  const rng = createRng(10)
  const spatial = shape.slice(1, -1)
  const voxels = spatial.reduce((a, b) => a * b, 1)
  const n = shape[0] as number
  const image = new Float32Array(n * voxels)
  const labels = new Int32Array(n * voxels)
  const radius = Math.min(...spatial) / 3
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < voxels; i++) {
      let rest = i
      let d2 = 0
      for (let a = spatial.length - 1; a >= 0; a--) {
        const size = spatial[a] as number
        const centre = size / 2 + (s % 2 === 1 && a === 0 ? size / 6 : 0)
        d2 += ((rest % size) + 0.5 - centre) ** 2
        rest = Math.floor(rest / size)
      }
      const label = d2 < radius * radius ? 1 : 0
      labels[s * voxels + i] = label
      image[s * voxels + i] = label + 0.5 * (rng.next() - 0.5)
    }
  }
  const x = tf.tensor(image, shape)
  const y = tf.oneHot(tf.tensor(labels, shape.slice(0, -1), 'int32'), 2)
  const optimizer = tf.train.adam(options.lr)
  const vars = [...net.weights.values()]
  const losses: number[] = []
  for (let step = 0; step < options.steps; step++) {
    losses.push(
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, true)) as tf.Scalar, vars)
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
        return value.dataSync()[0] as number
      }),
    )
  }
  optimizer.dispose()
  tf.dispose([x, y])
  expect(losses[losses.length - 1], `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan((losses[0] as number) * options.fraction)
  return losses
}

/** Runs `run` with `backend` active, then makes wasm active again. */
export async function onBackend<T>(backend: 'wasm' | 'cpu', run: () => T): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true)
  try {
    return run()
  } finally {
    await tf.setBackend('wasm')
  }
}

/** max |∂L/∂W| of every weight for L = Σ (net(x) − target)² in training mode, by name. */
export function gradientMagnitudes(net: SegmentationNet, x: tf.Tensor, target: tf.Tensor): Map<string, number> {
  const magnitudes = new Map<string, number>()
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(net.apply(x, true), target))) as tf.Scalar, [...net.weights.values()])
    for (const [k, v] of net.weights) magnitudes.set(k, grads[v.name] ? (tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0] as number) : 0)
  })
  return magnitudes
}

/** The number of trainable scalars. */
export function trainableCount(net: SegmentationNet): number {
  let n = 0
  for (const w of net.weights.values()) n += w.size
  return n
}

/** Every weight's values by name (for same-seed comparisons). */
export function weightValues(net: SegmentationNet): Map<string, number[]> {
  return new Map([...net.weights].map(([k, v]) => [k, Array.from(v.dataSync())]))
}
