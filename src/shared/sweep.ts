import { z } from 'zod'
import { InterpolationMethodSchema } from './interpolation'
import { SelectionMethodSchema } from './plan'
import { ModelConfigInputSchema, ModelConfigSchema, TrainResultSchema } from './training'

/**
 * The sweep contract: a grid over density ρ × volume count s × selection method × interpolation × model ×
 * seeds, plus the train config every trial shares. Expanded into trials (one training run each, on its own
 * plan); a dense baseline (ρ = 1, s = 1, every training volume) per model and seed is added automatically.
 */

/** 'none' trains on the plan's slices; a method trains on its interpolated dense masks (M.I. mode). */
export const SweepInterpolationSchema = z.union([z.literal('none'), InterpolationMethodSchema])
export type SweepInterpolation = z.infer<typeof SweepInterpolationSchema>

const fraction = z.number().gt(0, 'must be above 0').lte(1, 'must be at most 1')

/** A model of the grid: a label for the reports and its model config. */
export const SweepModelSchema = z.object({
  name: z.string().min(1).max(40),
  model: ModelConfigSchema,
})
export type SweepModel = z.infer<typeof SweepModelSchema>

/**
 * One cell (ρ, s) of a grid that lists its cells, with the selection methods and interpolation modes it runs
 * (each, when left out, every one the grid lists). A grid with `cells` runs only those; ρ and s must be among the
 * grid's densities and volume fractions, and a cell may appear more than once (the trials are the union).
 */
export const SweepCellSchema = z.object({
  density: fraction,
  volumeFraction: fraction,
  methods: z.array(SelectionMethodSchema).min(1).optional(),
  interpolation: z.array(SweepInterpolationSchema).min(1).optional(),
})
export type SweepCell = z.infer<typeof SweepCellSchema>

export const SweepGridSchema = z.object({
  densities: z.array(fraction).min(1),
  volumeFractions: z.array(fraction).min(1),
  methods: z.array(SelectionMethodSchema).min(1).default(['fixed']),
  interpolation: z.array(SweepInterpolationSchema).min(1).default(['none']),
  models: z.array(SweepModelSchema).min(1),
  /** Repeats: one trial per seed (plan seed and training seed). */
  seeds: z.array(z.number().int().min(0)).min(1).default([0]),
  /** Only these cells of the product ρ × s × method × interpolation (absent: the whole product). */
  cells: z.array(SweepCellSchema).min(1).optional(),
})
export type SweepGrid = z.infer<typeof SweepGridSchema>
export type SweepGridInput = z.input<typeof SweepGridSchema>

/**
 * What a sweep is made of: the grid and the train config each trial starts from (any TrainConfig field but
 * the ones a trial sets itself: datasetId, planId, interpolated, model, seed).
 */
export const SweepDefinitionSchema = z.object({
  grid: SweepGridSchema,
  train: z.record(z.string(), z.unknown()).default({}),
  /** The preset it came from, and what that preset reduced (stated in the report). */
  preset: z.string().nullable().default(null),
  notes: z.array(z.string()).default([]),
})
export type SweepDefinition = z.infer<typeof SweepDefinitionSchema>
export type SweepDefinitionInput = z.input<typeof SweepDefinitionSchema>

/**
 * A sweep definition as a user writes it (a --grid file, a preset, a sweeps:create payload): the same fields,
 * unknown keys refused by name at every level. The schemas above stay lenient: they read stored sweeps back.
 * (`train` is checked key by key against the train config when the sweep is created.)
 */
export const SweepDefinitionInputSchema = SweepDefinitionSchema.extend({
  grid: SweepGridSchema.extend({
    models: z.array(SweepModelSchema.extend({ model: ModelConfigInputSchema }).strict()).min(1),
    cells: z.array(SweepCellSchema.strict()).min(1).optional(),
  }).strict(),
}).strict()

/** One cell of the expanded grid. `dense` trials have no plan (ρ = s = 1, method 'dense'). */
export const TrialSpecSchema = z.object({
  model: z.string(),
  density: z.number(),
  volumeFraction: z.number(),
  method: z.union([SelectionMethodSchema, z.literal('dense')]),
  interpolation: SweepInterpolationSchema,
  seed: z.number().int(),
  dense: z.boolean(),
})
export type TrialSpec = z.infer<typeof TrialSpecSchema>

export const trialStatuses = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export const TrialStatusSchema = z.enum(trialStatuses)
export type TrialStatus = z.infer<typeof TrialStatusSchema>

/** What a done trial keeps for the reports (the full result stays with its training run). */
export const TrialMetricsSchema = z.object({
  meanIou: z.number(),
  meanDice: z.number(),
  /** Per test volume, for paired comparisons. */
  volumes: z.array(z.object({ caseId: z.string(), iou: z.number(), dice: z.number() })),
  trainVolumes: z.number().int(),
  annotatedSlices: z.number().int(),
  steps: z.number().int(),
  msPerStep: z.number(),
  trainMs: z.number(),
})
export type TrialMetrics = z.infer<typeof TrialMetricsSchema>

export const TrialRecordSchema = z.object({
  id: z.number().int(),
  sweepId: z.number().int(),
  /** Position in the expanded grid (order of execution). */
  ordinal: z.number().int(),
  /** A stable text key of the spec, unique within the sweep. */
  key: z.string(),
  spec: TrialSpecSchema,
  planId: z.number().int().nullable(),
  /** Slices the plan annotates (all training slices for dense trials). */
  budget: z.number().int(),
  status: TrialStatusSchema,
  runId: z.number().int().nullable(),
  backend: z.string().nullable(),
  metrics: TrialMetricsSchema.nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
})
export type TrialRecord = z.infer<typeof TrialRecordSchema>

export const SweepRecordSchema = z.object({
  id: z.number().int(),
  /** A random token: result files collected from a cluster must carry the same one. */
  uid: z.string(),
  datasetId: z.number().int(),
  dataset: z.string(),
  definition: SweepDefinitionSchema,
  /** All training slices of the dataset (the dense budget). */
  trainSlices: z.number().int(),
  cancelled: z.boolean(),
  createdAt: z.string(),
})
export type SweepRecord = z.infer<typeof SweepRecordSchema>

/** Trial counts by status. */
export const SweepCountsSchema = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
})
export type SweepCounts = z.infer<typeof SweepCountsSchema>

/** `workbench sweep status --json`. */
export const SweepStatusSchema = z.object({
  sweep: SweepRecordSchema,
  counts: SweepCountsSchema,
  trials: z.array(TrialRecordSchema),
})
export type SweepStatus = z.infer<typeof SweepStatusSchema>

/** Progress of a running sweep, for the progress bar and the UI. */
export const SweepProgressSchema = z.object({
  sweepId: z.number().int(),
  counts: SweepCountsSchema,
  /** Trials finished (done, failed or cancelled) out of the total. */
  finished: z.number().int(),
  running: z.array(z.object({ trialId: z.number().int(), label: z.string(), step: z.number().int(), steps: z.number().int() })),
  etaSeconds: z.number().nullable(),
})
export type SweepProgress = z.infer<typeof SweepProgressSchema>

/** A trial's outcome as written by `workbench trial run --out FILE` on a cluster node. */
export const TrialOutcomeSchema = z.object({
  format: z.literal('workbench-trial-outcome/1'),
  sweepUid: z.string(),
  sweepId: z.number().int(),
  trialId: z.number().int(),
  key: z.string(),
  status: z.enum(['done', 'failed']),
  config: z.record(z.string(), z.unknown()),
  result: TrainResultSchema.nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
})
export type TrialOutcome = z.infer<typeof TrialOutcomeSchema>
