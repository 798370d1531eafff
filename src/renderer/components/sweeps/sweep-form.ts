// The New sweep form's logic: the grid typed as fields (ρ, s, selection methods, M.I., seeds, steps, model)
// turned into a sweep definition, the number of trials it expands into, and a time estimate from the runs this
// workbench has timed. No Vue here, so it can be tested.
import { interpolationMethods } from '../../../shared/interpolation'
import { selectionMethods, type SelectionMethod } from '../../../shared/plan'
import type { RunRecord } from '../../../shared/run'
import { SweepDefinitionInputSchema, type SweepDefinitionInput, type SweepInterpolation } from '../../../shared/sweep'
import { modelOptionFlags, resolveModelConfig } from '../../../shared/models'
import { isInputError } from '../../../shared/errors'
import { ModelConfigInputSchema, modelKinds, TrainResultSchema, type ModelKind } from '../../../shared/training'
import { defaultModelValues, modelFromValues, modelInputLabels, modelInputs, type ModelConfigInput, type ModelValues } from '../train/model-choice'

/** The interpolation modes a grid can list: 'none' (sparse) and each M.I. method. */
export const sweepInterpolations: readonly SweepInterpolation[] = ['none', ...interpolationMethods]

/** The form's fields as typed; the model's inputs are model-choice.ts's, shared with the Train form. */
export interface SweepFormFields extends ModelValues {
  densities: string
  volumeFractions: string
  methods: SelectionMethod[]
  interpolation: SweepInterpolation[]
  seeds: string
  steps: string
  batchSize: string
  modelKind: ModelKind
}

/** The form a new sweep starts with: one tiny cell, quick enough to try the workbench with. */
export function defaultSweepForm(): SweepFormFields {
  return {
    ...defaultModelValues(),
    densities: '0.2',
    volumeFractions: '0.5',
    methods: ['fixed'],
    interpolation: ['none'],
    seeds: '0',
    steps: '3',
    batchSize: '2',
    modelKind: 'unet2d',
    depth: '1',
    baseChannels: '4',
  }
}

export type SweepFormField = keyof SweepFormFields
export type SweepFormResult = { ok: true; definition: SweepDefinitionInput; trials: number } | { ok: false; field: SweepFormField; message: string }

/** "0.1, 0.2 0.3" → numbers; undefined when any part is not a number. */
function numberList(text: string): number[] | undefined {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '')
  const values = parts.map(Number)
  return parts.length > 0 && values.every((v) => Number.isFinite(v)) ? values : undefined
}

const fieldLabels: Record<SweepFormField, string> = {
  densities: 'ρ (density)',
  volumeFractions: 's (volume count)',
  methods: 'Selection methods',
  interpolation: 'Labels (sparse or M.I.)',
  seeds: 'Seeds',
  steps: 'Steps',
  batchSize: 'Batch',
  modelKind: 'Model',
  ...modelInputLabels,
}

/** Checks the fields and builds the sweep definition with its trial count, or names the first wrong field. */
export function sweepFromForm(f: SweepFormFields): SweepFormResult {
  // A model input is named as the form shows it for the kind ("Init filters" for a SegResNet's base channels).
  const label = (field: SweepFormField): string => modelInputs(f.modelKind).find((i) => i.field === field)?.label ?? fieldLabels[field]
  const fail = (field: SweepFormField, problem: string): SweepFormResult => ({ ok: false, field, message: `${label(field)}: ${problem}` })
  const fractions = (field: 'densities' | 'volumeFractions'): number[] | SweepFormResult => {
    const values = numberList(f[field])
    if (!values) return fail(field, 'type one or more numbers separated by commas, e.g. 0.1, 0.2')
    const bad = values.find((v) => !(v > 0 && v <= 1))
    if (bad !== undefined) return fail(field, `${bad} is not a fraction above 0 and at most 1`)
    if (new Set(values).size !== values.length) return fail(field, 'lists a value twice')
    return values
  }
  const densities = fractions('densities')
  if (!Array.isArray(densities)) return densities
  const volumeFractions = fractions('volumeFractions')
  if (!Array.isArray(volumeFractions)) return volumeFractions
  if (f.methods.length === 0) return fail('methods', 'tick at least one')
  if (f.interpolation.length === 0) return fail('interpolation', 'tick at least one')
  const seeds = numberList(f.seeds)
  if (!seeds || seeds.some((s) => !Number.isInteger(s) || s < 0)) return fail('seeds', 'type whole numbers 0 or more, e.g. 0, 1, 2')
  if (new Set(seeds).size !== seeds.length) return fail('seeds', 'lists a seed twice')
  const whole = (field: 'steps' | 'batchSize' | 'depth' | 'baseChannels', max: number): number | SweepFormResult => {
    const text = String(f[field])
    const v = Number(text)
    if (text.trim() === '' || !Number.isInteger(v) || v < 1 || v > max) return fail(field, `type a whole number from 1 to ${max}`)
    return v
  }
  const steps = whole('steps', 10_000_000)
  if (typeof steps !== 'number') return steps
  const batchSize = whole('batchSize', 4096)
  if (typeof batchSize !== 'number') return batchSize
  if (!modelKinds.includes(f.modelKind)) return fail('modelKind', `choose one of ${modelKinds.join(', ')}`)
  const inputs = modelInputs(f.modelKind).map((i) => i.field)
  for (const [field, max] of [['depth', 5], ['baseChannels', 256]] as const) {
    const checked = inputs.includes(field) ? whole(field, max) : 0
    if (typeof checked !== 'number') return checked
  }
  const model = modelFromValues(f.modelKind, f)
  const modelProblem = modelConfigProblem(model)
  if (modelProblem) return fail(modelProblem.field, modelProblem.message)
  const definition: SweepDefinitionInput = {
    grid: {
      densities,
      volumeFractions,
      // In the order the menus list them, so the same ticks give the same grid.
      methods: selectionMethods.filter((m) => f.methods.includes(m)),
      interpolation: sweepInterpolations.filter((m) => f.interpolation.includes(m)),
      models: [{ name: modelName(model), model }],
      seeds,
    },
    train: { steps, batchSize },
  }
  const parsed = SweepDefinitionInputSchema.safeParse(definition)
  if (!parsed.success) return fail('densities', parsed.error.issues[0]?.message ?? 'the grid is not valid')
  const g = definition.grid
  return { ok: true, definition, trials: gridTrialCount(densities.length, volumeFractions.length, g.methods?.length ?? 1, g.interpolation?.length ?? 1, 1, seeds.length) }
}

/** The grid's label for a model, short enough for the reports: "unet2d-d1c4", "segresnet3d-c8-1224", "unetr3d-h192l4", "segformer2d-b0". */
export function modelName(model: ModelConfigInput): string {
  const m = model as Record<string, unknown>
  const joined = (v: unknown): string => (Array.isArray(v) ? v.join('') : '')
  switch (model.kind) {
    case 'segresnet2d':
    case 'segresnet3d':
      return `${model.kind}-c${String(m.baseChannels)}-${joined(m.blocksDown)}`
    case 'unetr3d':
      return `${model.kind}-h${String(m.hiddenSize)}l${String(m.layers)}`
    case 'segformer2d':
      return `${model.kind}-${String(m.size)}`
    default:
      return `${model.kind ?? 'unet2d'}-d${String(m.depth)}c${String(m.baseChannels)}`
  }
}

/** The first problem of a model config (the schema's, then the kind's own rules), with the form field it is about. */
function modelConfigProblem(model: ModelConfigInput): { field: SweepFormField; message: string } | undefined {
  const parsed = ModelConfigInputSchema.safeParse(model)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = (issue?.path[0] as SweepFormField | undefined) ?? 'modelKind'
    return { field: field in fieldLabels ? field : 'modelKind', message: issue?.message ?? 'not valid' }
  }
  try {
    resolveModelConfig(parsed.data)
    return undefined
  } catch (e) {
    if (!isInputError(e)) throw e
    // resolveModelConfig names the CLI flag; the form names its field.
    const field = (Object.keys(modelOptionFlags) as (keyof typeof modelOptionFlags)[]).find((k) => modelOptionFlags[k] === e.source)
    return { field: field && field !== 'imageSize' ? field : 'modelKind', message: e.problem }
  }
}

/** Trials of a full grid (no listed cells): per model and seed, one dense baseline and every ρ × s × method × mode. */
export function gridTrialCount(densities: number, volumeFractions: number, methods: number, modes: number, models: number, seeds: number): number {
  return seeds * models * (1 + densities * volumeFractions * methods * modes)
}

/** How long a training of this model kind took here: ms per step, and the load + evaluation time around it. */
export interface TrialTiming {
  msPerStep: number
  overheadMs: number
  /** Finished training runs the timing is the median of. */
  runs: number
}

/** The median timing of this workbench's finished training runs of a model kind (any kind when none of it). */
export function timingFromRuns(runs: readonly RunRecord[], kind: ModelKind): TrialTiming | undefined {
  const timed = runs
    .filter((r) => r.kind === 'training' && r.status === 'done')
    .map((r) => ({ kind: (r.config.model as { kind?: string } | undefined)?.kind, result: TrainResultSchema.safeParse(r.result) }))
    .filter((r) => r.result.success)
  const same = timed.filter((r) => r.kind === kind)
  const pool = same.length > 0 ? same : timed
  if (pool.length === 0) return undefined
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.floor(s.length / 2)] as number
  }
  const results = pool.map((r) => r.result.data!)
  return {
    msPerStep: median(results.map((r) => r.timings.msPerStep)),
    overheadMs: median(results.map((r) => r.timings.loadMs + r.timings.evalMs)),
    runs: pool.length,
  }
}

/** Seconds the sweep would take one trial at a time, from a timing; undefined without one. */
export function estimateSweepSeconds(trials: number, steps: number, timing: TrialTiming | undefined): number | undefined {
  if (!timing) return undefined
  return (trials * (steps * timing.msPerStep + timing.overheadMs)) / 1000
}
