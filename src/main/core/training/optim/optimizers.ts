/**
 * Adam, AdamW and SGD on tf.Variables with PyTorch's update rules, written here because TF.js's optimisers fix
 * the learning rate at construction and have no AdamW. The learning rate is passed to every step (schedules).
 *
 * - adam:  g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 *          p −= lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε)            (torch.optim.Adam)
 * - adamw: p −= lr·wd·p first (decoupled), then the Adam update without the L2 term (torch.optim.AdamW)
 * - sgd:   g += wd·p; buf = μ·buf + g (buf starts at 0, so the first step gives buf = g, as PyTorch with
 *          dampening 0); step = nesterov ? g + μ·buf : buf; p −= lr·step. μ = 0: plain SGD, no slot.
 *
 * Slot variables are named `<weight>.m`, `<weight>.v` (Adam/AdamW) and `<weight>.momentum` (SGD) and are created
 * for every weight up front. The bias-correction step t is the optimiser's own step count (`iterations` after the
 * increment), one for all variables: the same as PyTorch's per-parameter count whenever every variable gets a
 * gradient every step (true of this engine's nets), and it makes {@link TrainOptimizerWithState.restore} exact.
 * A variable without a gradient in a step is left untouched, slots included.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../../shared/errors'
import type { OptimizerConfig } from '../../../../shared/training'
import type { TrainOptimizer } from '../types'

/** A TrainOptimizer whose state can be put back from a checkpoint. */
export interface TrainOptimizerWithState extends TrainOptimizer {
  /**
   * Overwrites every slot variable with the array of the same name and sets the step count. The map must hold
   * exactly this optimiser's slot names with matching sizes (else an InputError naming `source`), so a checkpoint
   * from another optimiser kind or net is refused rather than half-loaded.
   */
  restore(slots: ReadonlyMap<string, Float32Array>, iterations: number, source?: string): void
}

/**
 * An update rule. Scalars enter the ops as tensors made once (constants) or once per step (`begin`), not as JS
 * numbers: TF.js turns each number operand into a fresh scalar tensor, which would be ~6 uploads per variable.
 */
interface UpdateRule {
  /** Makes this step's scalars; t is the 1-based step count. */
  begin(lr: number, t: number): void
  /** One variable's update; runs inside a tidy. */
  update(name: string, weight: tf.Variable, grad: tf.Tensor): void
  /** Frees this step's scalars. */
  end(): void
  /** Frees the constants. */
  dispose(): void
}

/** Scalars owned by a rule: kept until dispose (constants) or until the step's end. */
class ScalarPool {
  private readonly held: tf.Tensor[] = []
  make(value: number): tf.Scalar {
    const t = tf.scalar(value)
    this.held.push(t)
    return t
  }
  dispose(): void {
    for (const t of this.held.splice(0)) t.dispose()
  }
}

function slotName(weight: string, slot: 'm' | 'v' | 'momentum'): string {
  return `${weight}.${slot}`
}

function makeSlots(weights: ReadonlyMap<string, tf.Variable>, kinds: readonly ('m' | 'v' | 'momentum')[]): Map<string, tf.Variable> {
  const slots = new Map<string, tf.Variable>()
  for (const [name, w] of weights) {
    for (const kind of kinds) {
      const full = slotName(name, kind)
      // Unnamed: TF.js names must be unique per process and two runs may hold optimisers for equal weight names.
      slots.set(full, tf.tidy(() => tf.variable(tf.zerosLike(w), false)))
    }
  }
  return slots
}

/** The slot of a weight; present by construction. */
function slot(slots: ReadonlyMap<string, tf.Variable>, weight: string, kind: 'm' | 'v' | 'momentum'): tf.Variable {
  const v = slots.get(slotName(weight, kind))
  if (!v) throw new Error(`optimizer: no slot ${slotName(weight, kind)}`)
  return v
}

function adamRule(config: OptimizerConfig, slots: ReadonlyMap<string, tf.Variable>, decoupled: boolean): UpdateRule {
  const { beta1, beta2, epsilon, weightDecay } = config
  const constants = new ScalarPool()
  const b1 = constants.make(beta1)
  const oneMinusB1 = constants.make(1 - beta1)
  const b2 = constants.make(beta2)
  const oneMinusB2 = constants.make(1 - beta2)
  const decay = constants.make(weightDecay)
  const perStep = new ScalarPool()
  let stepSize = b1
  let epsScaled = b1
  let shrink = b1
  return {
    begin(lr, t) {
      // lr/bc1 · m / (sqrt(v)/sqrt(bc2) + ε) rewritten as (lr·sqrt(bc2)/bc1) · m / (sqrt(v) + ε·sqrt(bc2)):
      // the same number, one op fewer per variable.
      const rootBc2 = Math.sqrt(1 - Math.pow(beta2, t))
      stepSize = perStep.make((lr * rootBc2) / (1 - Math.pow(beta1, t)))
      epsScaled = perStep.make(epsilon * rootBc2)
      shrink = perStep.make(1 - lr * weightDecay)
    },
    update(name, weight, grad) {
      const m = slot(slots, name, 'm')
      const v = slot(slots, name, 'v')
      let p: tf.Tensor = weight
      let g = grad
      if (weightDecay !== 0) {
        if (decoupled) p = tf.mul(weight, shrink)
        else g = tf.add(g, tf.mul(weight, decay))
      }
      const mNew = tf.add(tf.mul(m, b1), tf.mul(g, oneMinusB1))
      const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), oneMinusB2))
      const denom = tf.add(tf.sqrt(vNew), epsScaled)
      m.assign(mNew)
      v.assign(vNew)
      weight.assign(tf.sub(p, tf.mul(tf.div(mNew, denom), stepSize)))
    },
    end: () => perStep.dispose(),
    dispose: () => constants.dispose(),
  }
}

function sgdRule(config: OptimizerConfig, slots: ReadonlyMap<string, tf.Variable>): UpdateRule {
  const { momentum, nesterov, weightDecay } = config
  const constants = new ScalarPool()
  const mu = constants.make(momentum)
  const decay = constants.make(weightDecay)
  const perStep = new ScalarPool()
  let rate = mu
  return {
    begin(lr) {
      rate = perStep.make(lr)
    },
    update(name, weight, grad) {
      let g = weightDecay !== 0 ? tf.add(grad, tf.mul(weight, decay)) : grad
      if (momentum !== 0) {
        const buf = slot(slots, name, 'momentum')
        const bufNew = tf.add(tf.mul(buf, mu), g)
        buf.assign(bufNew)
        g = nesterov ? tf.add(g, tf.mul(bufNew, mu)) : bufNew
      }
      weight.assign(tf.sub(weight, tf.mul(g, rate)))
    },
    end: () => perStep.dispose(),
    dispose: () => constants.dispose(),
  }
}

/** Creates the optimiser for these trainable weights; see the module comment for the update rules. */
export function createOptimizer(config: OptimizerConfig, weights: ReadonlyMap<string, tf.Variable>): TrainOptimizerWithState {
  if (config.kind === 'sgd' && config.nesterov && config.momentum === 0) {
    throw new InputError('optimizer.nesterov', 'Nesterov momentum needs a momentum above 0')
  }
  const slotKinds = config.kind === 'sgd' ? (config.momentum !== 0 ? (['momentum'] as const) : ([] as const)) : (['m', 'v'] as const)
  const slots = makeSlots(weights, slotKinds)
  const rule = config.kind === 'sgd' ? sgdRule(config, slots) : adamRule(config, slots, config.kind === 'adamw')
  let iterations = 0
  const weightList = [...weights.values()]
  // tf.variableGrads keys its gradients by the variables' engine names; the optimiser speaks weight names.
  const weightNameOf = new Map([...weights].map(([name, v]) => [v.name, name]))

  const optimizer: TrainOptimizerWithState = {
    slots,
    get iterations() {
      return iterations
    },
    async minimise(loss, lr) {
      // The loss leaves the tidy scope and is read asynchronously: webgpu cannot read synchronously in Node.
      const value = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, weightList)
        optimizer.step(new Map(Object.entries(grads).map(([name, g]) => [weightNameOf.get(name) ?? name, g])), lr)
        return value
      })
      try {
        return (await value.data())[0] as number
      } finally {
        value.dispose()
      }
    },
    step(grads, lr) {
      if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`optimizer: learning rate must be finite and ≥ 0, got ${lr}`)
      for (const name of grads.keys()) {
        if (!weights.has(name)) throw new Error(`optimizer: gradient for unknown weight '${name}'`)
      }
      iterations++
      rule.begin(lr, iterations)
      try {
        for (const [name, grad] of grads) {
          const weight = weights.get(name) as tf.Variable
          tf.tidy(() => rule.update(name, weight, grad))
        }
      } finally {
        rule.end()
      }
    },
    restore(values, restoredIterations, source = 'optimizer state') {
      if (!Number.isInteger(restoredIterations) || restoredIterations < 0) {
        throw new InputError(source, `iteration count must be a non-negative integer, got ${restoredIterations}`)
      }
      const unknown = [...values.keys()].filter((k) => !slots.has(k))
      const missing = [...slots.keys()].filter((k) => !values.has(k))
      if (unknown.length > 0 || missing.length > 0) {
        const list = (names: string[]): string => names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '')
        throw new InputError(source, `does not match this ${config.kind} optimizer` + (missing.length ? `; missing ${list(missing)}` : '') + (unknown.length ? `; unexpected ${list(unknown)}` : ''))
      }
      for (const [name, v] of slots) {
        const data = values.get(name) as Float32Array
        if (data.length !== v.size) throw new InputError(source, `slot ${name} has ${data.length} values, expected ${v.size}`)
      }
      for (const [name, v] of slots) tf.tidy(() => v.assign(tf.tensor(values.get(name) as Float32Array, v.shape, 'float32')))
      iterations = restoredIterations
    },
    dispose() {
      rule.dispose()
      for (const v of slots.values()) v.dispose()
      slots.clear()
    },
  }
  return optimizer
}
