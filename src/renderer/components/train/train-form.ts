// The Train view's form: its fields start at the shared schema's defaults and turn into a train config
// (without the dataset, which train:start names). Kept apart from the component so it can be tested.
import type { InterpolationMethod } from '../../../shared/interpolation'
import {
  TrainConfigSchema,
  type LossKind,
  type ModelKind,
  type OptimizerKind,
  type TrainBackend,
  type TrainConfigInput,
  type TrainProgress,
} from '../../../shared/training'
import { defaultModelValues, modelFromValues, type ModelValues } from './model-choice'

/** The schema's defaults (the dataset id is a stand-in: only the other fields are read). */
export const trainDefaults = TrainConfigSchema.parse({ datasetId: 1 })

/** Said next to the flips toggle: why it starts off (the schema's default) and when to turn it on. */
export const flipAdvice =
  'Off by default: on the bundled hippocampus data a flip swaps the anterior and posterior labels. Turn on only for labels that are symmetric under a flip.'

/** Augmentations the form switches on and off, with the amount each gets when on. */
export const augmentToggles = [
  { key: 'rotate', label: 'rotation ±15°', apply: { rotateDegrees: 15 } },
  { key: 'scale', label: 'scale ±10 %', apply: { scale: 0.1 } },
  { key: 'biasField', label: 'bias field 0.3', apply: { biasField: 0.3 } },
  { key: 'elastic', label: 'elastic (2D, 8 px)', apply: { elasticAlpha: 8 } },
  { key: 'intensity', label: 'intensity ±0.1', apply: { intensityShift: 0.1, intensityScale: 0.1 } },
] as const
export type AugmentToggle = (typeof augmentToggles)[number]['key']

/** The form's values; the model's inputs (model-choice.ts) are kept for every kind, so switching back keeps them. */
export interface TrainFormState extends ModelValues {
  planId: number | null
  interpolated: InterpolationMethod | null
  modelKind: ModelKind
  depth: number
  baseChannels: number
  steps: number
  batchSize: number
  lr: number
  loss: LossKind
  optimizer: OptimizerKind
  seed: number
  flip: boolean
  augment: Record<AugmentToggle, boolean>
  /** The Compute choice: a forced backend, or null for Automatic (the ladder; the config then omits it). */
  backend: TrainBackend | null
}

/** A form at the schema's defaults. */
export function defaultTrainForm(): TrainFormState {
  const d = trainDefaults
  return {
    planId: d.planId,
    interpolated: d.interpolated,
    ...defaultModelValues(),
    modelKind: d.model.kind,
    depth: d.model.depth,
    baseChannels: d.model.baseChannels,
    normalisation: d.model.normalisation,
    steps: d.steps,
    batchSize: d.batchSize,
    lr: d.optimizer.lr,
    loss: d.loss.kind,
    optimizer: d.optimizer.kind,
    seed: d.seed,
    flip: d.augment.flip,
    augment: { rotate: false, scale: false, biasField: false, elastic: false, intensity: false },
    backend: d.backend ?? null,
  }
}

/** The train config the form describes; the core validates it and names any field that is wrong. */
export function configFromForm(form: TrainFormState): Omit<TrainConfigInput, 'datasetId'> {
  const augment: NonNullable<TrainConfigInput['augment']> = { flip: form.flip }
  for (const toggle of augmentToggles) if (form.augment[toggle.key]) Object.assign(augment, toggle.apply)
  return {
    planId: form.planId,
    interpolated: form.planId === null ? null : form.interpolated,
    model: modelFromValues(form.modelKind, form),
    steps: form.steps,
    batchSize: form.batchSize,
    optimizer: { kind: form.optimizer, lr: form.lr },
    loss: { kind: form.loss },
    seed: form.seed,
    augment,
    ...(form.backend === null ? {} : { backend: form.backend }),
  }
}

/** "1 m 05 s", "12 s", "" for unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}

/** Fraction done of a run's progress, 0…1 (evaluation counts as its own bar). */
export function progressFraction(p: TrainProgress): number {
  if (p.phase === 'evaluating') return p.total ? (p.done ?? 0) / p.total : 0
  return p.steps > 0 ? Math.min(1, p.step / p.steps) : 0
}

/** One line saying where a run is. */
export function describeProgress(p: TrainProgress): string {
  if (p.phase === 'loading') return 'loading the volumes…'
  if (p.phase === 'evaluating') return `evaluating on the test volumes: ${p.done ?? 0} / ${p.total ?? '?'}`
  const parts = [`step ${p.step} / ${p.steps}`]
  if (p.loss !== null) parts.push(`loss ${p.loss.toFixed(4)}`)
  if (p.stepsPerSecond !== null) parts.push(`${p.stepsPerSecond.toFixed(2)} steps/s`)
  const eta = formatEta(p.etaSeconds)
  if (eta) parts.push(`ETA ${eta}`)
  return parts.join(' · ')
}
