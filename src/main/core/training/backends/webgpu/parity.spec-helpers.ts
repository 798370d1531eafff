/**
 * What one training step computes for a model on the active backend — the loss and every weight's gradient —
 * on a seeded random batch, so a spec can run the same step on the cpu backend and on webgpu and compare.
 */
import * as tf from '@tensorflow/tfjs'
import { LossConfigSchema, ModelConfigSchema, type LossConfig, type ModelConfig } from '../../../../../shared/training'
import { createRng } from '../../../random/rng'
import { selectBackend } from '../../backend'
import { computeLoss } from '../../losses'
import { buildModel } from '../../models/build-model'

/** A step's loss and per-weight gradients, read back to the host. */
export interface StepValues {
  readonly loss: number
  readonly grads: Map<string, Float32Array>
}

/** A seeded batch for `shape` (spatial dims with the batch axis first) and `numClasses` labels. */
export function seededBatch(shape: readonly number[], numClasses: number, seed = 3): { images: Float32Array; labels: Int32Array; weights: Float32Array } {
  const rng = createRng(seed)
  const n = shape.reduce((a, b) => a * b, 1)
  const images = Float32Array.from({ length: n }, () => 2 * rng.next() - 1)
  const labels = Int32Array.from({ length: n }, () => rng.int(numClasses))
  // About a third of the voxels unannotated, as in a sparse plan.
  const weights = Float32Array.from({ length: n }, () => (rng.next() < 0.35 ? 0 : 1))
  return { images, labels, weights }
}

/** The loss and gradients of one step of `model` on the active backend (nothing is updated). */
export async function stepValues(model: Partial<ModelConfig>, shape: readonly number[], numClasses: number, loss: Partial<LossConfig> = { kind: 'dice-ce' }): Promise<StepValues> {
  const net = buildModel(ModelConfigSchema.parse(model), { inChannels: 1, numClasses, rng: createRng(11) })
  const lossConfig = LossConfigSchema.parse(loss)
  const { images, labels, weights } = seededBatch(shape, numClasses)
  try {
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.tensor(images, [...shape, 1])
      return computeLoss(net.apply(x, true), tf.tensor(labels, [...shape], 'int32'), tf.tensor(weights, [...shape]), lossConfig, numClasses)
    }, [...net.weights.values()])
    const byEngineName = new Map([...net.weights].map(([name, v]) => [v.name, name]))
    const out = new Map<string, Float32Array>()
    for (const [engineName, g] of Object.entries(grads)) out.set(byEngineName.get(engineName) ?? engineName, (await g.data()) as Float32Array)
    const lossValue = (await value.data())[0] as number
    tf.dispose([value, ...Object.values(grads)])
    return { loss: lossValue, grads: out }
  } finally {
    net.dispose()
  }
}

/** ‖a − b‖ / max(‖b‖, tiny): the relative error of a whole gradient. */
export function relativeNormError(a: Float32Array, b: Float32Array): number {
  let diff = 0
  let ref = 0
  for (let i = 0; i < b.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2
    ref += (b[i] as number) ** 2
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-12)
}

/**
 * Forces webgpu for a spec file: null once it is active, else why not (the specs skip, saying so). In CI the
 * webgpu tests must run (.ci/run installs Mesa's EGL), so there a missing adapter is an error.
 */
export async function forceWebgpuForSpec(): Promise<string | null> {
  try {
    const choice = await selectBackend({ force: 'webgpu' })
    console.info(`webgpu specs on ${choice.adapter?.device || choice.adapter?.description} (${choice.adapter?.api}${choice.adapter?.software ? ', software' : ''})`)
    return null
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    if (process.env.CI) throw new Error(`CI must run the webgpu tests (install libegl1 libegl-mesa0 libgl1-mesa-dri): ${why}`)
    console.warn(`webgpu tests skipped: ${why}`)
    return why
  }
}
