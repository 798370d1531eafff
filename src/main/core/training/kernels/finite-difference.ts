/**
 * Gradient checking for the tests: analytic gradients from tf.grads against central finite differences.
 * The checked function is L(args) = Σ w·op(args), summed in float64 in JS so that only the op's own
 * float32 rounding enters the difference quotient. Convolutions are linear in each argument, so the central
 * difference has no truncation error for any step h; only rounding remains (≈ ε·Σ|terms|/h).
 */
import * as tf from '@tensorflow/tfjs'
import { createRng, type Rng } from '../../random/rng'

/** A tensor argument as plain data, so each backend builds its own copy. */
export interface Arg {
  readonly shape: number[]
  readonly data: Float32Array
}

/** A random argument with entries uniform in [−1, 1) drawn from the given generator. */
export function randomArg(rng: Rng, shape: number[]): Arg {
  const size = shape.reduce((a, b) => a * b, 1)
  const data = new Float32Array(size)
  for (let i = 0; i < size; i++) data[i] = 2 * rng.next() - 1
  return { shape, data }
}

/** An op under test: tensors in, one tensor out. */
export type Op = (...args: tf.Tensor[]) => tf.Tensor

/** The op's output shape and data on the active backend. */
export function evaluate(op: Op, args: readonly Arg[]): Arg {
  return tf.tidy(() => {
    const y = op(...args.map((a) => tf.tensor(a.data, a.shape)))
    return { shape: y.shape, data: y.dataSync() as Float32Array }
  })
}

/** Analytic gradients of Σ w·op(args) on the active backend (tf.grads with dy = w). */
export function analyticGradients(op: Op, args: readonly Arg[], w: Arg): Float32Array[] {
  return tf.tidy(() => {
    const grads = tf.grads((...ts: tf.Tensor[]) => op(...ts))(
      args.map((a) => tf.tensor(a.data, a.shape)),
      tf.tensor(w.data, w.shape),
    )
    return grads.map((g) => g.dataSync() as Float32Array)
  })
}

/** Σ w·op(args) in float64. */
function weightedSum(op: Op, args: readonly Arg[], w: Arg): number {
  const y = evaluate(op, args).data
  let sum = 0
  for (let i = 0; i < y.length; i++) sum += (w.data[i] as number) * (y[i] as number)
  return sum
}

/** Central finite differences of Σ w·op(args) with respect to every element of every argument. */
export function numericGradients(op: Op, args: readonly Arg[], w: Arg, h: number): Float64Array[] {
  return args.map((arg, which) => {
    const out = new Float64Array(arg.data.length)
    for (let i = 0; i < arg.data.length; i++) {
      const at = (delta: number): number => {
        const data = arg.data.slice()
        data[i] = (data[i] as number) + delta
        return weightedSum(op, args.map((a, j) => (j === which ? { shape: a.shape, data } : a)), w)
      }
      out[i] = (at(h) - at(-h)) / (2 * h)
    }
    return out
  })
}

/**
 * The largest error of `actual` against `expected`, relative to expected's largest magnitude: one scale for
 * the whole tensor, because single entries near zero have no meaningful relative error.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity
  let scale = 0
  let worst = 0
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number))
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)))
  return worst / Math.max(scale, 1e-12)
}

/** Largest error of each argument's gradient, against finite differences and against the cpu backend. */
export interface GradientErrors {
  readonly againstFiniteDifferences: number[]
  readonly againstCpu: number[]
}

/**
 * The gradients of Σ w·op(args) on wasm (the project's kernels) against central finite differences on wasm
 * and against the cpu backend's analytic gradients; leaves wasm active.
 */
export async function wasmGradientErrors(op: Op, args: readonly Arg[], outShape: number[], seed: number, h = 0.5): Promise<GradientErrors> {
  const w = randomArg(createRng(seed), outShape)
  await tf.setBackend('wasm')
  const analytic = analyticGradients(op, args, w)
  const numeric = numericGradients(op, args, w, h)
  await tf.setBackend('cpu')
  const reference = analyticGradients(op, args, w)
  await tf.setBackend('wasm')
  return {
    againstFiniteDifferences: analytic.map((g, i) => relativeError(g, numeric[i] as Float64Array)),
    againstCpu: analytic.map((g, i) => relativeError(g, reference[i] as Float32Array)),
  }
}
