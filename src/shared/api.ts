import { z } from 'zod'
import { DatasetDetailSchema, DatasetSummarySchema, ImportOptionsSchema, ImportProgressSchema } from './dataset'
import { FusionSchema, InterpolationMethodSchema, InterpolationRunSchema, InterpolationTaskSchema } from './interpolation'
import { InspectLayerSchema, InspectRunSummarySchema, LayerVoxelsSchema } from './inspect'
import { BudgetAdviceSchema, PlanExportFormatSchema, PlanRequestSchema, PlanSchema } from './plan'
import { RemovalReportSchema } from './removal'
import { PaperFindingSchema } from './report-data'
import { RunRecordSchema } from './run'
import { SweepCountsSchema, SweepProgressSchema, SweepRecordSchema, SweepStatusSchema } from './sweep'
import { BackendProbeSchema, TrainProgressSchema, TrainResultSchema, type TrainConfigInput } from './training'

/** Facts about the running workbench shown in the UI and returned by `app:info`. */
export const AppInfoSchema = z.object({
  version: z.string(),
  dbPath: z.string(),
  workspace: z.string(),
  /** How the UI reaches the core: Electron IPC or the browser-mode HTTP server. */
  transport: z.enum(['ipc', 'http']),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

/**
 * A train config without its dataset (train:start names the dataset). Only its shape is checked here: the
 * core validates it with TrainConfigSchema, whose errors name the option that is wrong.
 */
const TrainStartConfigSchema = z.custom<Omit<TrainConfigInput, 'datasetId'>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && !('datasetId' in value),
  { message: 'a train config object without datasetId (train:start names the dataset)' },
)

/** A sweep as the Sweeps view lists it: whether this workbench runs it now, and why its last run stopped. */
const SweepRunStateSchema = z.object({ active: z.boolean(), lastError: z.string().nullable() })
const SweepListEntrySchema = z.object({ sweep: SweepRecordSchema, counts: SweepCountsSchema, ...SweepRunStateSchema.shape })
const SweepViewStatusSchema = SweepStatusSchema.extend(SweepRunStateSchema.shape)
/** A sweep's report, optionally on a subset of its models and selection methods. */
const ReportRequestSchema = z.strictObject({ sweepId: z.number().int().positive(), models: z.array(z.string()).optional(), methods: z.array(z.string()).optional() })
/** A paired test of a report figure (core/reports/figures.ts StatTest). */
const ReportTestSchema = z.object({
  figure: z.string(), comparison: z.string(), model: z.string(), n: z.number(), statistic: z.number(),
  pValue: z.number(), medianDifference: z.number(), method: z.enum(['exact', 'normal']),
})
/** One report figure: its rows, its chart as SVG markup generated locally (null without data), sentence and tests. */
const ReportFigureSchema = z.object({
  id: z.string(), title: z.string(), sentence: z.string(),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
  tests: z.array(ReportTestSchema), svg: z.string().nullable(),
})

/** Where one volume's human mask has foreground along its slice axis (the plan strips' band). */
export const VolumeForegroundSchema = z.object({
  volumeId: z.number().int(),
  sliceCount: z.number().int(),
  /** Slice indices (ascending, from 0) holding any nonzero label. */
  slices: z.array(z.number().int()),
})
export type VolumeForeground = z.infer<typeof VolumeForegroundSchema>
/** One slice of a volume's image (scaled to 0–255 between its 1st and 99th percentile) with its label values. */
export const VolumePreviewSchema = z.object({
  volumeId: z.number().int(),
  caseId: z.string(),
  slice: z.number().int(),
  sliceCount: z.number().int(),
  /** Width (faster axis) and height of the slice. */
  width: z.number().int(),
  height: z.number().int(),
  image: z.array(z.number().int()),
  label: z.array(z.number().int()),
})
export type VolumePreview = z.infer<typeof VolumePreviewSchema>

/**
 * The one API channel map. Electron IPC, the browser-mode server, the preload and the renderer's client
 * are all typed from it; each payload is parsed with its schema where it crosses a process boundary.
 * Input schemas are strict: a key a channel does not know is refused by name, not dropped. (Plan requests are
 * stored and read back with the lenient PlanRequestSchema, hence `.strict()` here.)
 */
export const apiChannels = {
  'app:info': { input: z.strictObject({}), output: AppInfoSchema },
  'datasets:list': { input: z.strictObject({}), output: z.array(DatasetSummarySchema) },
  'datasets:get': { input: z.strictObject({ name: z.string().min(1) }), output: DatasetDetailSchema },
  /**
   * Imports a dataset folder (as `workbench import`) off the server's thread; resolves with the stored dataset
   * when every pair is read. Progress arrives as `datasetImport` events; a cancelled import fails with an
   * input error naming the dataset, and stores nothing.
   */
  'datasets:import': { input: ImportOptionsSchema, output: DatasetSummarySchema },
  /** Asks the running import of this name to stop before its next pair; datasets:import then fails, nothing stored. */
  'datasets:import-cancel': { input: z.strictObject({ name: z.string().min(1) }), output: z.object({ name: z.string() }) },
  /**
   * Removes a dataset with its plans, sweeps, trials, interpolation runs and the workspace files they own; its training
   * runs stay (their dataset unset). dryRun: only says what would go. Refused while one of its runs or trials runs.
   */
  'datasets:remove': { input: z.strictObject({ name: z.string().min(1), dryRun: z.boolean().optional() }), output: RemovalReportSchema },
  /** Per volume of a dataset (or of the listed ids), the slices where its human mask has foreground. */
  'datasets:foreground': {
    input: z.strictObject({ name: z.string().min(1), volumeIds: z.array(z.number().int().positive()).max(10_000).optional() }),
    output: z.array(VolumeForegroundSchema),
  },
  /** One slice of a dataset volume with its label (the middle slice unless `slice` is given). */
  'datasets:preview': {
    input: z.strictObject({ name: z.string().min(1), volumeId: z.number().int().positive(), slice: z.number().int().min(0).optional() }),
    output: VolumePreviewSchema,
  },
  'plans:list': { input: z.strictObject({ dataset: z.string().optional() }), output: z.array(PlanSchema) },
  'plans:get': { input: z.strictObject({ planId: z.number().int().positive() }), output: PlanSchema },
  /** Resolves (or finds the stored) plan for a request. */
  'plans:create': { input: PlanRequestSchema.strict(), output: PlanSchema },
  /** Removes a plan with its imported masks and interpolation runs (dryRun: only says so); refused while a sweep uses it. */
  'plans:remove': { input: z.strictObject({ planId: z.number().int().positive(), dryRun: z.boolean().optional() }), output: RemovalReportSchema },
  /** Writes a plan for annotators into a folder on this machine (the CLI's `plan export`); returns the files. */
  'plans:export': {
    input: z.strictObject({ planId: z.number().int().positive(), format: PlanExportFormatSchema, outDir: z.string().min(1) }),
    output: z.object({ files: z.array(z.string()) }),
  },
  'budget:advise': {
    input: z.strictObject({ dataset: z.string().min(1), slices: z.number().int().min(1), tolerance: z.number().positive().optional(), seed: z.number().int().min(0).optional() }),
    output: BudgetAdviceSchema,
  },
  /**
   * Interpolates a plan as a stored run; resolves when every volume is done. With a task id, `progress` events
   * with that task count the volumes done, and interpolation:cancel stops it (the run ends 'cancelled', its
   * masks removed).
   */
  'interpolation:run': {
    input: z.strictObject({ planId: z.number().int().positive(), method: InterpolationMethodSchema, fusion: FusionSchema.optional(), task: InterpolationTaskSchema.optional() }),
    output: InterpolationRunSchema,
  },
  /** Asks a running interpolation of this workbench (by its task id) to stop. */
  'interpolation:cancel': { input: z.strictObject({ task: InterpolationTaskSchema }), output: z.object({ task: z.string() }) },
  'interpolation:get': { input: z.strictObject({ runId: z.number().int().positive() }), output: InterpolationRunSchema },
  /** The interpolation runs of a dataset that the inspector can open, newest first. */
  'inspect:runs': { input: z.strictObject({ dataset: z.string().min(1) }), output: z.array(InspectRunSummarySchema) },
  /** One voxel layer of one volume of a run; over HTTP a binary frame (see shared/inspect.ts binaryChannels). */
  'inspect:layer': {
    input: z.strictObject({ runId: z.number().int().positive(), volumeId: z.number().int().positive(), layer: InspectLayerSchema }),
    output: LayerVoxelsSchema,
  },
  'runs:list': { input: z.strictObject({ kind: z.string().optional() }), output: z.array(RunRecordSchema) },
  'runs:get': { input: z.strictObject({ runId: z.number().int().positive() }), output: RunRecordSchema },
  /** Removes a finished run with its checkpoints or masks (dryRun: only says so); a sweep's trial run goes with its sweep. */
  'runs:remove': { input: z.strictObject({ runId: z.number().int().positive(), dryRun: z.boolean().optional() }), output: RemovalReportSchema },
  /**
   * Trains a model on a dataset (by name) as a recorded run; resolves when the run ends. Progress arrives as
   * `training` events (the first one, phase 'loading', names the run id so the UI can cancel it).
   */
  'train:start': {
    input: z.strictObject({ dataset: z.string().min(1), config: TrainStartConfigSchema.default({}) }),
    output: z.object({ runId: z.number().int(), result: TrainResultSchema }),
  },
  /** Asks a running training run of this workbench to stop; its record ends 'cancelled'. */
  'train:cancel': { input: z.strictObject({ runId: z.number().int().positive() }), output: z.object({ runId: z.number().int() }) },
  /**
   * What each rung of the training ladder finds on this machine (native TensorFlow, a GPU adapter, wasm, cpu)
   * and which one a run without a forced backend takes. Nothing is activated; probed once per process.
   */
  'training:backends': { input: z.strictObject({}), output: BackendProbeSchema },
  /** Sweeps, newest first, with trial counts. */
  'sweeps:list': { input: z.strictObject({}), output: z.array(SweepListEntrySchema) },
  /** The named sweep designs (core/sweeps/presets.ts) with what each reduces. */
  'sweeps:presets': { input: z.strictObject({}), output: z.array(z.object({ name: z.string(), notes: z.array(z.string()), trials: z.number().int() })) },
  /** Creates a sweep from a preset name or a definition ({ grid, train, notes } or a bare grid); plans resolved, trials queued. */
  'sweeps:create': {
    input: z.strictObject({ dataset: z.string().min(1), preset: z.string().min(1).optional(), definition: z.unknown().optional() }),
    output: z.object({ sweepId: z.number().int(), trials: z.number().int(), plansCreated: z.number().int(), plansReused: z.number().int() }),
  },
  'sweeps:status': { input: z.strictObject({ sweepId: z.number().int().positive() }), output: SweepViewStatusSchema },
  /** Starts (or resumes: cancelled and interrupted trials re-queued) a sweep in the background; progress comes as `sweep` events. */
  'sweeps:run': { input: z.strictObject({ sweepId: z.number().int().positive(), workers: z.number().int().positive().optional() }), output: z.object({ sweepId: z.number().int(), requeued: z.number().int() }) },
  /** Cancels a sweep: queued trials cancelled now, running ones stop at their next step. */
  'sweeps:cancel': { input: z.strictObject({ sweepId: z.number().int().positive() }), output: z.object({ sweepId: z.number().int(), cancelled: z.number().int() }) },
  /** Re-runs the failed trials alone, in the background. */
  'sweeps:retry': { input: z.strictObject({ sweepId: z.number().int().positive() }), output: z.object({ sweepId: z.number().int(), retried: z.number().int() }) },
  /** Removes a sweep with its trials and their training runs (dryRun: only says so); refused while a trial runs. */
  'sweeps:remove': { input: z.strictObject({ sweepId: z.number().int().positive(), dryRun: z.boolean().optional() }), output: RemovalReportSchema },
  /** A sweep's report figures (optionally on a subset of models and selection methods), with the SVG charts. */
  'reports:figures': {
    input: ReportRequestSchema,
    output: z.object({ sweepId: z.number().int(), dataset: z.string(), about: z.array(z.string()), findings: z.array(PaperFindingSchema), models: z.array(z.string()), methods: z.array(z.string()), figures: z.array(ReportFigureSchema) }),
  },
  /** The same report as one self-contained HTML page (what `workbench report` writes as report.html), to save. */
  'reports:html': {
    input: ReportRequestSchema,
    output: z.object({ fileName: z.string(), html: z.string() }),
  },
} as const

export type ApiChannel = keyof typeof apiChannels
export type ApiInput<C extends ApiChannel> = z.input<(typeof apiChannels)[C]['input']>
export type ApiOutput<C extends ApiChannel> = z.output<(typeof apiChannels)[C]['output']>

/** Server side: one handler per channel. */
export type ApiHandlers = { [C in ApiChannel]: (input: ApiInput<C>) => Promise<ApiOutput<C>> }

/** What a failed call returns across a boundary, so the UI can show the problem in plain words. */
export const ApiErrorSchema = z.object({ error: z.string(), source: z.string().optional(), problem: z.string().optional() })
export type ApiError = z.infer<typeof ApiErrorSchema>

/** Client side: the one interface the renderer talks to, whatever carries it. */
export interface WorkbenchApi {
  invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>>
}

/** True when a string names an API channel. */
export function isApiChannel(value: string): value is ApiChannel {
  return Object.prototype.hasOwnProperty.call(apiChannels, value)
}

/**
 * What an Electron IPC call resolves to. Errors travel as values, not as thrown errors, because Electron
 * rewrites a thrown error's message ("Error invoking remote method …") and drops its fields.
 */
export type ApiResult<C extends ApiChannel> = { ok: true; value: ApiOutput<C> } | { ok: false; error: ApiError }

/** Events the core pushes to the UI (progress of long work); payloads are parsed like channel outputs. */
export const apiEvents = {
  progress: z.object({
    /** Which piece of long work this is about (a task id). */
    task: z.string(),
    done: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
  /** Progress of a dataset import (datasets:import): started, after each pair, and how it ended. */
  datasetImport: ImportProgressSchema,
  /** Progress of a training run (train:start), at most a few times a second plus phase changes. */
  training: TrainProgressSchema,
  /** Progress of a sweep run by this workbench (sweeps:run / sweeps:retry); a last one when its runner stops. */
  sweep: SweepProgressSchema,
  /** A command the desktop app's menu asks the page to carry out (Electron only). */
  menu: z.object({ action: z.enum(['import-dataset']) }),
} as const
export type ApiEventName = keyof typeof apiEvents
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>
/** One pushed event as it travels (the browser-mode socket sends these as JSON text frames). */
export type ApiEventMessage = { [E in ApiEventName]: { event: E; payload: ApiEventPayload<E> } }[ApiEventName]

/** The object the Electron preload exposes as `window.workbench` (absent in browser mode). */
export interface WorkbenchBridge {
  invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiResult<C>>
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void
  /** Shows the native folder dialog (main process, channel `dialog:pickFolder`); null when cancelled. */
  pickFolder(): Promise<string | null>
}
