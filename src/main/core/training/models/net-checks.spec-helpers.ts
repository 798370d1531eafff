// Checks the convolutional models' specs share (segresnet.spec.ts, inception-unet.spec.ts): logits of the input's
// size, no leaked tensors, batch-norm state that moves only in training, gradients above noise, twin parity within the
// issue's bar, and whole-net gradients entry by entry
// (model-checks.spec-helpers.ts checks along random directions): the analytic gradient of L = Σ w·net(x) (training
// mode) with respect to one named weight, against central finite differences at a few of its entries (evenly spread,
// so a large filter costs a few forward passes, not thousands), each weight at its own step; L summed in float64.
import * as tf from '@tensorflow/tfjs'
import { expect } from 'vitest'
import { createRng } from '../../random/rng'
import { randomArg, relativeError } from '../kernels/finite-difference'
import type { TwinParityOutcome } from '../weights/twin-parity.spec-helpers'
import { gradientMagnitudes } from './model-checks.spec-helpers'
import type { ConfiguredNet } from './unet'

/** A seeded input with entries uniform in [−1, 1). */
export function randomInput(shape: number[], seed = 5): tf.Tensor {
  const a = randomArg(createRng(seed), shape)
  return tf.tensor(a.data, a.shape)
}

/** In training and inference mode, the net maps a random input of `shape` to finite logits of its size. */
export function expectLogitsOfInputSize(net: ConfiguredNet, shape: number[]): void {
  for (const training of [true, false]) {
    const y = tf.tidy(() => net.apply(randomInput(shape), training))
    expect(y.shape).toEqual([...shape.slice(0, -1), net.numClasses])
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true)
    y.dispose()
  }
}

/** A training pass with gradients and an inference pass on ones of `shape` leave no tensor; dispose frees the net's. */
export function expectNoLeaks(build: () => ConfiguredNet, shape: number[]): void {
  const before = tf.memory().numTensors
  const net = build()
  tf.tidy(() => {
    const x = tf.ones(shape)
    tf.variableGrads(() => tf.sum(net.apply(x, true)) as tf.Scalar, [...net.weights.values()])
    net.apply(x, false)
  })
  net.dispose()
  expect(tf.memory().numTensors).toBe(before)
}

/**
 * Every weight's largest |∂L/∂w| for L = Σ (net(x) − target)² on a random input of `shape` is above float32 noise,
 * 1e-4 of the net's largest, except the weights `exactlyZero` names (their true gradient is 0), which stay below 1e-5
 * of it.
 */
export function expectGradientsAboveNoise(net: ConfiguredNet, shape: number[], label: string, exactlyZero: (name: string) => boolean = () => false): void {
  const x = randomInput(shape)
  const target = randomInput([...shape.slice(0, -1), net.numClasses], 9)
  const magnitudes = gradientMagnitudes(net, x, target)
  for (const t of [x, target]) t.dispose()
  const largest = Math.max(...magnitudes.values())
  for (const [name, m] of magnitudes) {
    if (exactlyZero(name)) expect(m, `${label} ${name}`).toBeLessThan(1e-5 * largest)
    else expect(m, `${label} ${name}`).toBeGreaterThan(1e-4 * largest)
  }
}

/**
 * A twin-parity outcome within the bar: logits in eval and training mode and the state after training within
 * 1e-4 of the twin's scale, the twin's parameter count, every variable loaded by name with no prefix, no key of the
 * file skipped but those `skippable` allows.
 */
export function expectTwinParity(outcome: TwinParityOutcome, skippable: (key: string) => boolean = () => false): void {
  if ('skipped' in outcome) throw new Error(outcome.skipped)
  expect(outcome.eval.relDiff).toBeLessThan(1e-4)
  expect(outcome.train.relDiff).toBeLessThan(1e-4)
  expect(outcome.stateRelDiff).toBeLessThan(1e-4)
  expect(outcome.ourParams).toBe(outcome.twinParams)
  expect(outcome.report.missing).toEqual([])
  expect(outcome.report.skipped.filter((k) => !skippable(k))).toEqual([])
  expect(outcome.report.mismatched).toEqual([])
  expect(outcome.report.prefix).toEqual({ file: '', ours: '' })
}

/** Inference leaves the state alone; a training pass moves it, and inference then reads the moved statistics. */
export function expectStateMovesOnlyInTraining(net: ConfiguredNet, x: tf.Tensor): void {
  const stateOf = (): number[][] => [...net.state.values()].map((v) => Array.from(v.dataSync()))
  const initial = stateOf()
  const infer = (): Float32Array => tf.tidy(() => net.apply(x, false).dataSync() as Float32Array)
  const before = infer()
  expect(stateOf()).toEqual(initial)
  tf.tidy(() => net.apply(x, true))
  expect(stateOf()).not.toEqual(initial)
  expect(relativeError(infer(), before)).toBeGreaterThan(1e-3)
}

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

/**
 * On wasm and on cpu (wasm active again afterwards): the net `build` makes there, fed a seeded input of `shape`, has
 * gradients within 1e-2 of central finite differences for the weights `steps` names, each at its step.
 */
export async function expectGradientsOnBothBackends(build: () => ConfiguredNet, shape: number[], steps: ReadonlyMap<string, number>, label: string): Promise<void> {
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend)
    const net = build()
    const input = randomInput(shape, 6)
    for (const [name, e] of netGradientErrors(net, { input, steps, seed: 7, samples: 6 })) expect(e, `${backend} ${label} ${name}`).toBeLessThan(1e-2)
    input.dispose()
    net.dispose()
  }
  await tf.setBackend('wasm')
}
