// The losses against a float64 reference written out here from the definitions (see losses.ts), their
// gradients against central finite differences of that reference, and the ignore mask.
//
// Tolerances: the tf loss is float32 (≈1e-7 relative per op, a few dozen ops) → 1e-5 relative. Finite
// differences of the float64 reference with h = 1e-5 have truncation error ≈ h²·|f'''| ≈ 1e-10 and rounding
// ≈ 1e-16/h ≈ 1e-11, so the comparison measures the float32 analytic gradient: 1e-4 of its largest entry.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { LossConfigSchema, type LossConfig, type LossKind } from '../../../shared/training'
import { createRng } from '../random/rng'
import { configureWasm } from './backends/wasm/setup'
import { relativeError } from './kernels/finite-difference'
import { computeLoss, DICE_SMOOTH } from './losses'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

interface Case {
  readonly shape: number[] // logits' shape, class axis last
  readonly logits: Float64Array
  readonly labels: Int32Array
  readonly weights: Float64Array
}

const numClassesOf = (c: Case): number => c.shape[c.shape.length - 1] as number

/** The loss in float64, straight from the definitions. */
function referenceLoss(c: Case, config: LossConfig): number {
  const classes = numClassesOf(c)
  const voxels = c.labels.length
  const cw = config.classWeights ?? new Array<number>(classes).fill(1)
  let ceNum = 0
  let focalNum = 0
  let den = 0
  const inter = new Float64Array(classes)
  const pred = new Float64Array(classes)
  const ref = new Float64Array(classes)
  for (let v = 0; v < voxels; v++) {
    const z = Array.from(c.logits.subarray(v * classes, (v + 1) * classes))
    const max = Math.max(...z)
    const logSum = max + Math.log(z.reduce((s, x) => s + Math.exp(x - max), 0))
    const logp = z.map((x) => x - logSum)
    const p = logp.map(Math.exp)
    const y = c.labels[v] as number
    const w = c.weights[v] as number
    const wy = w * (cw[y] as number)
    const lp = logp[y] as number
    ceNum += -wy * lp
    focalNum += -wy * Math.pow(1 - (p[y] as number), config.focalGamma) * lp
    den += wy
    for (let k = 0; k < classes; k++) {
      const t = k === y ? 1 : 0
      inter[k] = (inter[k] as number) + w * (p[k] as number) * t
      pred[k] = (pred[k] as number) + w * (p[k] as number)
      ref[k] = (ref[k] as number) + w * t
    }
  }
  let dice = 0
  for (let k = 0; k < classes; k++) {
    dice += 1 - (2 * (inter[k] as number) + DICE_SMOOTH) / ((pred[k] as number) + (ref[k] as number) + DICE_SMOOTH)
  }
  dice /= classes
  const ce = den > 0 ? ceNum / den : 0
  const focal = den > 0 ? focalNum / den : 0
  if (config.kind === 'ce') return ce
  return config.kind === 'dice-ce' ? dice + ce : dice + focal
}

/** Central finite differences of the reference loss with respect to every logit. */
function referenceGradient(c: Case, config: LossConfig, h = 1e-5): Float64Array {
  const out = new Float64Array(c.logits.length)
  for (let i = 0; i < c.logits.length; i++) {
    const at = (delta: number): number => {
      const logits = c.logits.slice()
      logits[i] = (logits[i] as number) + delta
      return referenceLoss({ ...c, logits }, config)
    }
    out[i] = (at(h) - at(-h)) / (2 * h)
  }
  return out
}

/** The tf loss and its gradient with respect to the logits. */
function tfLossAndGradient(c: Case, config: LossConfig): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    const spatial = c.shape.slice(0, -1)
    const labels = tf.tensor(c.labels, spatial, 'int32')
    const weights = tf.tensor(Float32Array.from(c.weights), spatial, 'float32')
    const f = (z: tf.Tensor): tf.Scalar => computeLoss(z, labels, weights, config, numClassesOf(c))
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor(Float32Array.from(c.logits), c.shape))
    return { loss: value.dataSync()[0] as number, grad: grad.dataSync() as Float32Array }
  })
}

/** A random case: logits in [−3, 3), labels in [0, C), weights 0 or 1 (about a third unannotated). */
function randomCase(seed: number, shape: number[]): Case {
  const rng = createRng(seed)
  const classes = shape[shape.length - 1] as number
  const voxels = shape.slice(0, -1).reduce((a, b) => a * b, 1)
  const logits = Float64Array.from({ length: voxels * classes }, () => Math.fround(6 * rng.next() - 3))
  const labels = Int32Array.from({ length: voxels }, () => rng.int(classes))
  const weights = Float64Array.from({ length: voxels }, () => (rng.next() < 0.35 ? 0 : 1))
  return { shape, logits, labels, weights }
}

const config = (kind: LossKind, extra: Partial<LossConfig> = {}): LossConfig => LossConfigSchema.parse({ kind, ...extra })

const kinds: LossKind[] = ['ce', 'dice-ce', 'dice-focal']

describe('computeLoss', () => {
  it('cross-entropy of a hand-computed two-voxel case', () => {
    // Voxel 0: logits (0, ln 3) → p = (1/4, 3/4), label 1; voxel 1: logits (0, 0) → p = (1/2, 1/2), label 0.
    // Class weights (2, 1): (1·(−ln 3/4) + 2·(−ln 1/2)) / (1 + 2) = (ln 4/3 + 2 ln 2)/3.
    const c: Case = { shape: [1, 1, 2, 2], logits: Float64Array.from([0, Math.log(3), 0, 0]), labels: Int32Array.from([1, 0]), weights: Float64Array.from([1, 1]) }
    const expected = (Math.log(4 / 3) + 2 * Math.log(2)) / 3
    expect(tfLossAndGradient(c, config('ce', { classWeights: [2, 1] })).loss).toBeCloseTo(expected, 6)
    // Soft Dice of the same voxels (weights 1, s tiny): class 0: I = 1/2, P = 3/4, T = 1; class 1: I = 3/4,
    // P = 5/4, T = 1 → 1 − mean(1/1.75, 1.5/2.25).
    const dice = 1 - (1 / 1.75 + 1.5 / 2.25) / 2
    expect(tfLossAndGradient(c, config('dice-ce')).loss).toBeCloseTo(dice + (Math.log(4 / 3) + Math.log(2)) / 2, 5)
    // Focal γ = 2: (1/4)²·ln 4/3 and (1/2)²·ln 2, mean over the two voxels.
    const focal = ((1 / 16) * Math.log(4 / 3) + (1 / 4) * Math.log(2)) / 2
    expect(tfLossAndGradient(c, config('dice-focal', { focalGamma: 2 })).loss).toBeCloseTo(dice + focal, 5)
  })

  const gradientCases = kinds.flatMap((kind) => [
    { kind, extra: {} },
    { kind, extra: { classWeights: [0.5, 2, 1] } },
  ])
  it.each(gradientCases)('$kind $extra: value against float64, gradient against finite differences (2D and 3D)', ({ kind, extra }) => {
    for (const [seed, shape] of [[1, [2, 3, 4, 3]], [2, [1, 2, 3, 2, 3]]] as [number, number[]][]) {
      const c = randomCase(seed, shape)
      const cfg = config(kind, { ...extra, focalGamma: 1.5 })
      const { loss, grad } = tfLossAndGradient(c, cfg)
      const expected = referenceLoss(c, cfg)
      expect(Math.abs(loss - expected) / Math.abs(expected)).toBeLessThan(1e-5)
      expect(relativeError(grad, referenceGradient(c, cfg))).toBeLessThan(1e-4)
    }
  })

  it('focal loss with γ = 0 is CE, γ = 0.5 has finite gradients for confident voxels', () => {
    const c = randomCase(3, [1, 3, 3, 3])
    const ce = tfLossAndGradient(c, config('dice-ce'))
    const focal0 = tfLossAndGradient(c, config('dice-focal', { focalGamma: 0 }))
    expect(focal0.loss).toBeCloseTo(ce.loss, 6)
    expect(relativeError(focal0.grad, ce.grad)).toBeLessThan(1e-6)
    // Logits 40 apart: p_y rounds to 1 in float32, 1 − p_y ≈ 4e-18.
    const confident: Case = { shape: [1, 1, 1, 2], logits: Float64Array.from([40, 0]), labels: Int32Array.from([0]), weights: Float64Array.from([1]) }
    const { loss, grad } = tfLossAndGradient(confident, config('dice-focal', { focalGamma: 0.5 }))
    expect(Number.isFinite(loss)).toBe(true)
    expect(Array.from(grad).every(Number.isFinite)).toBe(true)
  })

  it.each(kinds)('%s ignores unannotated voxels: their logits change nothing and get zero gradient', (kind) => {
    const c = randomCase(4, [2, 3, 3, 3])
    const cfg = config(kind, { classWeights: [1, 3, 0.5] })
    const base = tfLossAndGradient(c, cfg)
    // New logits and labels at every unannotated voxel.
    const rng = createRng(99)
    const logits = c.logits.slice()
    const labels = c.labels.slice()
    let ignored = 0
    for (let v = 0; v < c.labels.length; v++) {
      if (c.weights[v] !== 0) continue
      ignored++
      labels[v] = rng.int(3)
      for (let k = 0; k < 3; k++) logits[v * 3 + k] = 20 * rng.next() - 10
    }
    expect(ignored).toBeGreaterThan(2)
    const changed = tfLossAndGradient({ ...c, logits, labels }, cfg)
    expect(changed.loss).toBe(base.loss)
    for (let v = 0; v < c.labels.length; v++) {
      for (let k = 0; k < 3; k++) {
        const i = v * 3 + k
        if (c.weights[v] === 0) {
          expect(Math.abs(changed.grad[i] as number)).toBe(0)
          expect(Math.abs(base.grad[i] as number)).toBe(0)
        } else expect(changed.grad[i]).toBe(base.grad[i])
      }
    }
  })

  it('class weights: a class weighted 0 drops out of CE; scaling all weights changes nothing', () => {
    const c = randomCase(5, [1, 4, 4, 3])
    const zeroed = tfLossAndGradient(c, config('ce', { classWeights: [1, 0, 1] }))
    // The same as marking every class-1 voxel unannotated.
    const weights = c.weights.map((w, v) => (c.labels[v] === 1 ? 0 : w))
    const masked = tfLossAndGradient({ ...c, weights }, config('ce'))
    expect(zeroed.loss).toBeCloseTo(masked.loss, 6)
    expect(relativeError(zeroed.grad, masked.grad)).toBeLessThan(1e-6)
    const once = tfLossAndGradient(c, config('ce', { classWeights: [1, 2, 3] }))
    const scaled = tfLossAndGradient(c, config('ce', { classWeights: [5, 10, 15] }))
    expect(scaled.loss).toBeCloseTo(once.loss, 6)
    expect(once.loss).not.toBeCloseTo(masked.loss, 3)
  })

  it.each(kinds)('%s of a batch with nothing annotated is 0 with zero gradients', (kind) => {
    const c = randomCase(6, [2, 3, 3, 3])
    const { loss, grad } = tfLossAndGradient({ ...c, weights: new Float64Array(c.weights.length) }, config(kind))
    expect(Math.abs(loss)).toBe(0)
    expect(Array.from(grad).every((g) => g === 0)).toBe(true)
  })

  it('labels outside [0, C) act as unannotated; wrong shapes and class-weight counts are rejected', () => {
    const c = randomCase(7, [1, 3, 3, 3])
    const labels = c.labels.map((y, v) => (c.weights[v] === 0 ? (v % 2 === 0 ? -1 : 7) : y))
    const out = tfLossAndGradient({ ...c, labels }, config('dice-focal'))
    expect(out.loss).toBe(tfLossAndGradient(c, config('dice-focal')).loss)
    tf.tidy(() => {
      const z = tf.zeros([1, 2, 2, 3])
      const y = tf.zeros([1, 2, 2], 'int32')
      const w = tf.ones([1, 2, 2])
      expect(() => computeLoss(z, y, w, config('ce', { classWeights: [1, 1] }), 3)).toThrow(/classWeights/)
      expect(() => computeLoss(z, tf.zeros([1, 2, 3], 'int32'), w, config('ce'), 3)).toThrow(/shape/)
      expect(() => computeLoss(z, y, w, config('ce'), 2)).toThrow(/channels/)
      expect(() => computeLoss(z, tf.zeros([1, 2, 2]), w, config('ce'), 3)).toThrow(/int32/)
    })
  })

  it('leaks no tensors', () => {
    const c = randomCase(8, [1, 2, 2, 3])
    const before = tf.memory().numTensors
    for (const kind of kinds) tfLossAndGradient(c, config(kind))
    expect(tf.memory().numTensors).toBe(before)
  })
})
