/**
 * Main-thread side of a training run: validates a train config against the store (the dataset, the plan,
 * its interpolated masks, the geometry) and turns it into a TrainJob, before any run is recorded. Every
 * problem is an InputError naming the option or the object that is wrong.
 */
import { totalmem } from 'node:os'
import { InputError, parseInput } from '../../../shared/errors'
import { formatShape, trainingSizeProblem } from '../../../shared/limits'
import { modelSizeRule } from '../../../shared/model-catalogue'
import { resolveModelConfig } from '../../../shared/models'
import type { InterpolationMethod, InterpolationRun } from '../../../shared/interpolation'
import type { Plan } from '../../../shared/plan'
import type { DatasetDetail, VolumeRecord } from '../../../shared/dataset'
import { isModel2d, TrainConfigSchema, type TrainConfig, type TrainConfigInput } from '../../../shared/training'
import { requirePlan } from '../planning/plans'
import type { Db } from '../store/database'
import { getDatasetById } from '../store/datasets-repo'
import { getInterpolationVolumes } from '../store/interpolation-repo'
import { listRuns } from '../store/runs-repo'
import type { JobVolume, LabelSource, TrainJob } from './job'

/** Parses a train config, naming the option that is wrong (or the unknown key: "train config: unknown key 'stepz'"). */
export function parseTrainConfig(input: TrainConfigInput | unknown): TrainConfig {
  return parseInput(TrainConfigSchema, input, (path) => (path ? `train option ${path}` : 'train config'))
}

/** Runs (or finds) the interpolation of a plan with a method; the M.I. mode's masks come from it. */
export type InterpolateForTraining = (planId: number, method: InterpolationMethod) => Promise<InterpolationRun>

export interface ResolveContext {
  readonly db: Db
  /** Called when M.I. mode needs masks that no stored interpolation run has yet. */
  readonly interpolate?: InterpolateForTraining
  /** The machine's memory in bytes, which bounds slice/patch size × batch (default os.totalmem(); tests set it). */
  readonly memoryBytes?: number
}

/** The newest finished interpolation run of a plan with a method, if any. */
function storedInterpolation(db: Db, planId: number, method: InterpolationMethod): number | undefined {
  return listRuns(db, { kind: 'interpolation' }).find(
    (r) => r.status === 'done' && r.config.planId === planId && r.config.method === method,
  )?.id
}

/** Mask paths by volume id of the plan's interpolation with `method` (found or made). */
async function interpolatedMasks(ctx: ResolveContext, plan: Plan, method: InterpolationMethod): Promise<Map<number, string>> {
  const stored = storedInterpolation(ctx.db, plan.planId, method)
  if (stored !== undefined) return new Map(getInterpolationVolumes(ctx.db, stored).map((v) => [v.volumeId, v.maskPath]))
  if (!ctx.interpolate) throw new InputError(`plan ${plan.planId}`, `has no ${method} interpolation yet; run \`workbench interpolate --plan ${plan.planId} --method ${method}\` first`)
  const run = await ctx.interpolate(plan.planId, method)
  return new Map(run.volumes.map((v) => [v.volumeId, v.maskPath]))
}

/** A stored volume as a job's volume, with where its labels come from. */
export function jobVolume(record: VolumeRecord, labels: LabelSource): JobVolume {
  return {
    volumeId: record.id,
    caseId: record.caseId,
    imagePath: record.imagePath,
    labelPath: record.labelPath,
    dims: record.dims,
    sliceAxis: record.sliceAxis,
    labels,
  }
}

/** Label values 0…max over the dataset's declared labels and every volume's label counts. */
function classCount(dataset: DatasetDetail): number {
  let max = 0
  for (const key of Object.keys(dataset.labels)) if (/^\d+$/.test(key)) max = Math.max(max, Number(key))
  for (const v of dataset.volumeRecords) for (const key of Object.keys(v.labelVoxels)) max = Math.max(max, Number(key))
  return max + 1
}

/** Training volumes: the plan's items (with their labels' source), or every training volume when dense. */
async function trainingVolumes(ctx: ResolveContext, dataset: DatasetDetail, config: TrainConfig): Promise<JobVolume[]> {
  const records = new Map(dataset.volumeRecords.map((v) => [v.id, v]))
  if (config.planId === null) {
    return dataset.volumeRecords.filter((v) => v.subset === 'train').map((v) => jobVolume(v, { kind: 'dense' }))
  }
  const plan = requirePlan(ctx.db, config.planId)
  if (plan.dataset !== dataset.name) {
    throw new InputError(`plan ${plan.planId}`, `belongs to dataset "${plan.dataset}", not "${dataset.name}"`)
  }
  const masks = config.interpolated === null ? null : await interpolatedMasks(ctx, plan, config.interpolated)
  let annotatedForeground = 0
  const volumes = plan.items.map((item) => {
    const record = records.get(item.volumeId)
    if (!record) throw new InputError(`plan ${plan.planId}`, `refers to volume ${item.volume}, which its dataset no longer has`)
    if (record.subset === 'test') throw new InputError(`plan ${plan.planId}`, `annotates test volume ${item.volume}; training on it would leak the test set`)
    // The import stored foreground slice counts, not which slices: a plan with slices at all can still miss
    // every foreground slice; the worker checks the voxels. Here: a plan on volumes with no foreground.
    if (record.foregroundSlices > 0 && item.slices.length > 0) annotatedForeground++
    const maskPath = masks?.get(item.volumeId)
    if (masks && !maskPath) throw new InputError(`plan ${plan.planId}`, `its ${config.interpolated} interpolation has no mask for volume ${item.volume}`)
    const labels: LabelSource = maskPath
      ? { kind: 'interpolated', maskPath, slices: item.slices }
      : item.maskPath
        ? { kind: 'sparse-mask', maskPath: item.maskPath, slices: item.slices }
        : { kind: 'slices', slices: item.slices }
    return jobVolume(record, labels)
  })
  if (volumes.length === 0 || annotatedForeground === 0) {
    throw new InputError(`plan ${plan.planId}`, 'annotates no slice of any volume with foreground: there is nothing to learn from')
  }
  return volumes
}

/** Refuses a model, slice or patch size × batch that this machine cannot hold, before anything is allocated. */
function checkMemory(config: TrainConfig, numClasses: number, memoryBytes: number): void {
  const is2d = isModel2d(config.model.kind)
  const geometry = { input: is2d ? config.sliceSize : config.patchSize, model: config.model, batchSize: config.batchSize, numClasses }
  const refused = trainingSizeProblem(geometry, memoryBytes, is2d ? 'sliceSize' : 'patchSize')
  if (refused) throw new InputError(`train option ${refused.field}`, refused.problem)
}

/** The patch as the 3D net sees it, (D, H, W) = (k, j, i): a patch's array is i-fastest (types.ts). */
function patchAsInput(patch: TrainConfig['patchSize']): [number, number, number] {
  return [patch[2], patch[1], patch[0]]
}

/**
 * The model config with its kind's defaults filled in (the stored config replays the same net), and UNETR's
 * imageSize set to the training patch: its position embedding is built for that input, and the sliding-window
 * prediction feeds it patches of the same size. A given imageSize that is not the patch is refused.
 */
function resolveModel(config: TrainConfig): TrainConfig['model'] {
  const model = resolveModelConfig(config.model)
  if (model.kind !== 'unetr3d') return model
  const input = patchAsInput(config.patchSize)
  if (model.imageSize && model.imageSize.some((s, a) => s !== input[a])) {
    throw new InputError(
      'model.imageSize',
      `${formatShape(model.imageSize)} (D×H×W) is not the training patch ${formatShape(config.patchSize)} (--patch i,j,k, so D×H×W ${formatShape(input)}): ` +
        'unetr3d is built for the patch it trains on; leave imageSize out or change --patch',
    )
  }
  return { ...model, imageSize: input }
}

/** Checks sizes against the model and the data, before a run is recorded. */
function checkGeometry(config: TrainConfig, train: readonly JobVolume[]): void {
  const { multiple, rule } = modelSizeRule(config.model)
  const size = isModel2d(config.model.kind) ? config.sliceSize : config.patchSize
  const flag = isModel2d(config.model.kind) ? '--slice-size' : '--patch'
  if (size.some((s) => s % multiple !== 0)) {
    throw new InputError(flag, `${formatShape(size)} is not a multiple of ${rule} in each direction`)
  }
  if (isModel2d(config.model.kind)) return
  const largest = [0, 1, 2].map((a) => Math.max(...train.map((v) => v.dims[a] ?? 0)))
  // Samplers pad a volume smaller than the patch; a patch larger than every volume would be mostly padding.
  if (size.some((p, a) => p > (largest[a] ?? 0))) {
    throw new InputError('--patch', `${formatShape(size)} is larger than every training volume (largest extent ${largest.join('×')})`)
  }
}

/** A job before its run exists. */
export type ResolvedJob = Omit<TrainJob, 'runId' | 'checkpointPath'> & { readonly datasetName: string }

/** Validates a config against the store and builds the job (runId is filled in once the run exists). */
export async function resolveTrainJob(ctx: ResolveContext, input: TrainConfigInput | unknown): Promise<ResolvedJob> {
  const parsed = parseTrainConfig(input)
  const config: TrainConfig = { ...parsed, model: resolveModel(parsed) }
  const dataset = getDatasetById(ctx.db, config.datasetId)
  if (!dataset) throw new InputError(`dataset ${config.datasetId}`, 'no dataset has this id')
  const numClasses = classCount(dataset)
  if (config.loss.classWeights && config.loss.classWeights.length !== numClasses) {
    throw new InputError('--class-weights', `gives ${config.loss.classWeights.length} weights; dataset "${dataset.name}" has ${numClasses} classes`)
  }
  if (config.patchSampling.classWeights && config.patchSampling.classWeights.length !== numClasses) {
    throw new InputError('--patch-class-weights', `gives ${config.patchSampling.classWeights.length} weights; dataset "${dataset.name}" has ${numClasses} classes`)
  }
  const train = await trainingVolumes(ctx, dataset, config)
  if (train.length === 0) throw new InputError(dataset.name, 'has no training volumes')
  checkGeometry(config, train)
  // After the geometry checks (more specific), before a run is recorded or anything is allocated for it.
  checkMemory(config, numClasses, ctx.memoryBytes ?? totalmem())
  const split = config.evaluateOn === 'none' ? null : config.evaluateOn
  const denseOf = (subset: 'val' | 'test'): JobVolume[] => dataset.volumeRecords.filter((v) => v.subset === subset).map((v) => jobVolume(v, { kind: 'dense' }))
  const evaluate = split === null ? [] : denseOf(split === 'validation' ? 'val' : 'test')
  if (split !== null && evaluate.length === 0) {
    throw new InputError(dataset.name, `has no ${split} volumes to evaluate on (use --evaluate none)`)
  }
  const validate = config.valEvery > 0 ? denseOf('val') : []
  if (config.valEvery > 0 && validate.length === 0) {
    throw new InputError('--val-every', `dataset "${dataset.name}" has no validation volumes to evaluate on during training`)
  }
  return { config, datasetName: dataset.name, numClasses, train, evaluate, evaluateSplit: split, validate }
}
