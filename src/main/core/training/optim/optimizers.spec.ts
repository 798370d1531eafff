// Each optimiser against a float64 reference written from the textbook form of its update rule (bias-corrected
// m̂ and v̂ for Adam, rather than the folded form optimizers.ts uses), over several steps with changing gradients
// and learning rates. Tolerance 2e-6 absolute on weights of order 1: float32 rounding of a few ops per step.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../../shared/errors'
import { OptimizerConfigSchema, type OptimizerConfig, type OptimizerKind } from '../../../../shared/training'
import { createRng, type Rng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { createOptimizer } from './optimizers'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const shapes: Record<string, number[]> = { 'enc.conv.w': [2, 3], 'enc.conv.b': [4] }

interface RefState {
  p: Float64Array
  m: Float64Array
  v: Float64Array
  buf: Float64Array
}

/** One step of the reference rule for one variable; t is the 1-based step count. */
function referenceStep(c: OptimizerConfig, s: RefState, grad: Float64Array, lr: number, t: number): void {
  for (let i = 0; i < s.p.length; i++) {
    let p = s.p[i] as number
    let g = grad[i] as number
    if (c.kind === 'adamw') p -= lr * c.weightDecay * p
    else g += c.weightDecay * p
    if (c.kind === 'sgd') {
      let d = g
      if (c.momentum !== 0) {
        const b = t === 1 ? g : c.momentum * (s.buf[i] as number) + g
        s.buf[i] = b
        d = c.nesterov ? g + c.momentum * b : b
      }
      s.p[i] = p - lr * d
    } else {
      const m = c.beta1 * (s.m[i] as number) + (1 - c.beta1) * g
      const v = c.beta2 * (s.v[i] as number) + (1 - c.beta2) * g * g
      s.m[i] = m
      s.v[i] = v
      const mHat = m / (1 - Math.pow(c.beta1, t))
      const vHat = v / (1 - Math.pow(c.beta2, t))
      s.p[i] = p - (lr * mHat) / (Math.sqrt(vHat) + c.epsilon)
    }
  }
}

const uniform = (rng: Rng, n: number, scale = 1): Float64Array => Float64Array.from({ length: n }, () => Math.fround(scale * (2 * rng.next() - 1)))

function makeWeights(rng: Rng): { weights: Map<string, tf.Variable>; ref: Map<string, RefState> } {
  const weights = new Map<string, tf.Variable>()
  const ref = new Map<string, RefState>()
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1)
    const p = uniform(rng, n)
    weights.set(name, tf.variable(tf.tensor(Float32Array.from(p), shape)))
    ref.set(name, { p, m: new Float64Array(n), v: new Float64Array(n), buf: new Float64Array(n) })
  }
  return { weights, ref }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)))
  return worst
}

const configs: { kind: OptimizerKind; extra: Partial<OptimizerConfig> }[] = [
  { kind: 'adam', extra: {} },
  { kind: 'adam', extra: { weightDecay: 0.1 } },
  { kind: 'adamw', extra: { weightDecay: 0.1 } },
  { kind: 'adamw', extra: { weightDecay: 0 } },
  { kind: 'adam', extra: { beta1: 0.5, beta2: 0.9, epsilon: 1e-3 } },
  { kind: 'sgd', extra: {} },
  { kind: 'sgd', extra: { weightDecay: 0.05 } },
  { kind: 'sgd', extra: { nesterov: true, weightDecay: 0.05 } },
  { kind: 'sgd', extra: { momentum: 0, weightDecay: 0.05 } },
]

describe('createOptimizer', () => {
  it.each(configs)('$kind $extra matches the float64 reference over 6 steps; a weight without gradient is untouched', ({ kind, extra }) => {
    const config = OptimizerConfigSchema.parse({ kind, ...extra })
    const rng = createRng(11)
    const { weights, ref } = makeWeights(rng)
    const opt = createOptimizer(config, weights)
    const before = tf.memory().numTensors
    const lrs = [0.05, 0.1, 0.02, 0.08, 0.05, 0.03]
    lrs.forEach((lr, step) => {
      // Step 3 has no gradient for the bias: it and its slots must not move, and the step count still advances.
      const names = step === 3 ? ['enc.conv.w'] : Object.keys(shapes)
      const frozen = tf.tidy(() => [...opt.slots].filter(([k]) => k.startsWith('enc.conv.b')).map(([, v]) => v.dataSync().slice()))
      const frozenWeight = (weights.get('enc.conv.b') as tf.Variable).dataSync().slice()
      const grads = new Map<string, tf.Tensor>()
      for (const name of names) {
        const g = uniform(rng, (ref.get(name) as RefState).p.length, 2)
        grads.set(name, tf.tensor(Float32Array.from(g), shapes[name]))
        referenceStep(config, ref.get(name) as RefState, g, lr, step + 1)
      }
      opt.step(grads, lr)
      for (const g of grads.values()) g.dispose()
      if (step === 3) {
        expect((weights.get('enc.conv.b') as tf.Variable).dataSync()).toEqual(frozenWeight)
        const after = [...opt.slots].filter(([k]) => k.startsWith('enc.conv.b')).map(([, v]) => v.dataSync())
        after.forEach((a, i) => expect(a).toEqual(frozen[i]))
      }
    })
    expect(opt.iterations).toBe(6)
    expect(tf.memory().numTensors).toBe(before)
    for (const [name, s] of ref) {
      const initial = makeWeights(createRng(11)).ref.get(name) as RefState
      expect(maxAbsDiff(s.p, initial.p), 'the steps moved the weights').toBeGreaterThan(0.05)
      expect(maxAbsDiff((weights.get(name) as tf.Variable).dataSync(), s.p)).toBeLessThan(2e-6)
      if (kind !== 'sgd') {
        expect(maxAbsDiff((opt.slots.get(`${name}.m`) as tf.Variable).dataSync(), s.m)).toBeLessThan(2e-6)
        expect(maxAbsDiff((opt.slots.get(`${name}.v`) as tf.Variable).dataSync(), s.v)).toBeLessThan(2e-6)
      } else if (config.momentum !== 0) {
        expect(maxAbsDiff((opt.slots.get(`${name}.momentum`) as tf.Variable).dataSync(), s.buf)).toBeLessThan(2e-6)
      }
    }
    const expectedSlots = kind === 'sgd' ? (config.momentum !== 0 ? ['momentum'] : []) : ['m', 'v']
    expect([...opt.slots.keys()].sort()).toEqual(Object.keys(shapes).flatMap((n) => expectedSlots.map((s) => `${n}.${s}`)).sort())
    opt.dispose()
    for (const w of weights.values()) w.dispose()
  })

  it.each(['adamw', 'sgd'] as const)('%s: restore() from arrays continues exactly like the original', (kind) => {
    const config = OptimizerConfigSchema.parse({ kind, weightDecay: 0.01 })
    const rng = createRng(5)
    const a = makeWeights(rng).weights
    const optA = createOptimizer(config, a)
    const gradsAt = (step: number): Map<string, tf.Tensor> => {
      const r = createRng(100 + step)
      return new Map(Object.entries(shapes).map(([n, s]) => [n, tf.tensor(Float32Array.from(uniform(r, s.reduce((x, y) => x * y, 1))), s)]))
    }
    const run = (opt: ReturnType<typeof createOptimizer>, step: number): void => {
      const g = gradsAt(step)
      opt.step(g, 0.01 * (step + 1))
      for (const t of g.values()) t.dispose()
    }
    for (let s = 0; s < 3; s++) run(optA, s)
    // A second optimiser on copies of the weights, restored from the first one's state as plain arrays.
    const b = new Map([...a].map(([n, v]) => [n, tf.variable(v.clone())]))
    const optB = createOptimizer(config, b)
    optB.restore(new Map([...optA.slots].map(([n, v]) => [n, v.dataSync() as Float32Array])), optA.iterations)
    expect(optB.iterations).toBe(3)
    for (let s = 3; s < 5; s++) {
      run(optA, s)
      run(optB, s)
    }
    for (const [n, v] of a) expect((b.get(n) as tf.Variable).dataSync()).toEqual(v.dataSync())
    // Mismatched state is refused before anything is overwritten.
    const slotsA = new Map([...optA.slots].map(([n, v]) => [n, v.dataSync() as Float32Array]))
    const missing = new Map([...slotsA].slice(1))
    expect(() => optB.restore(missing, 1, 'ckpt.json')).toThrow(InputError)
    const wrongSize = new Map([...slotsA].map(([n, d]) => [n, d.subarray(1)]))
    expect(() => optB.restore(wrongSize, 1)).toThrow(/values/)
    expect(() => optB.restore(slotsA, -1)).toThrow(/iteration/)
    expect(optB.iterations).toBe(5)
    for (const m of [a, b]) for (const v of m.values()) v.dispose()
    optA.dispose()
    optB.dispose()
  })

  it('minimise takes the loss gradients by weight name and steps: SGD on Σ(a·x)² + b² against the hand-derived update', async () => {
    const a = tf.variable(tf.tensor1d([1, -2]))
    const b = tf.variable(tf.scalar(3))
    const weights = new Map<string, tf.Variable>([['a', a], ['b', b]])
    const opt = createOptimizer(OptimizerConfigSchema.parse({ kind: 'sgd', momentum: 0 }), weights)
    const before = tf.memory().numTensors
    const x = [0.5, 2]
    // L = (a0·x0 + a1·x1)² + b² = (0.5 − 4)² + 9 = 21.25; dL/da = 2·(−3.5)·x = [−3.5, −14], dL/db = 6.
    const loss = await opt.minimise(() => tf.add(tf.square(tf.sum(tf.mul(a, tf.tensor1d(x)))), tf.square(b)) as tf.Scalar, 0.1)
    expect(loss).toBeCloseTo(21.25, 5)
    expect(Array.from(a.dataSync())).toEqual([expect.closeTo(1.35, 6), expect.closeTo(-0.6, 6)])
    expect(b.dataSync()[0]).toBeCloseTo(2.4, 6)
    expect(opt.iterations).toBe(1)
    expect(tf.memory().numTensors).toBe(before)
    opt.dispose()
    a.dispose()
    b.dispose()
  })

  it('refuses Nesterov without momentum and gradients for unknown weights', () => {
    const w = new Map([['x', tf.variable(tf.zeros([2]))]])
    expect(() => createOptimizer(OptimizerConfigSchema.parse({ kind: 'sgd', momentum: 0, nesterov: true }), w)).toThrow(InputError)
    const opt = createOptimizer(OptimizerConfigSchema.parse({ kind: 'adam' }), w)
    const g = tf.zeros([2])
    expect(() => opt.step(new Map([['y', g]]), 0.1)).toThrow(/unknown weight 'y'/)
    expect(opt.iterations).toBe(0)
    g.dispose()
    opt.dispose()
    ;(w.get('x') as tf.Variable).dispose()
  })
})
