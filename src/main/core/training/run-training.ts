/**
 * A training run in the store: validates the config and resolves the job (nothing recorded when that
 * fails), records the run, hands the job to a runner (a worker thread in the product), and ends the run as
 * done, cancelled or failed. A run whose data turns out to be unusable (an InputError from the runner,
 * raised before training starts) is removed again with its files, leaving the store as it was.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { InputError, isInputError } from '../../../shared/errors'
import { TrainResultSchema, type TrainConfig, type TrainProgress, type TrainResult } from '../../../shared/training'
import type { RunRecord } from '../../../shared/run'
import { CancelledError } from '../execution'
import type { Db } from '../store/database'
import { cancelRun, createRun, failRun, finishRun, getRun, startRun } from '../store/runs-repo'
import type { TrainJob } from './job'
import { resolveTrainJob, type InterpolateForTraining } from './resolve-job'
import { trainJob } from './train'
import { runFolder } from '../workspace/folders'

export interface TrainRunOptions {
  onProgress?: (progress: TrainProgress) => void
  signal?: AbortSignal
}

/** Runs a job somewhere (this thread, a worker thread) and resolves with its result. */
export type TrainRunner = (job: TrainJob, options: TrainRunOptions) => Promise<TrainResult>

/** Runs the job in this thread (tests, tiny jobs). */
export const trainInProcess: TrainRunner = (job, options) =>
  trainJob(job, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), isCancelled: () => options.signal?.aborted ?? false })

export interface TrainingContext {
  db: Db
  workspace: string
  runner: TrainRunner
  /** Makes a plan's interpolated masks when M.I. mode needs ones the store lacks. */
  interpolate?: InterpolateForTraining
  /** The system memory a run may size itself against (default: the machine's; tests set it). */
  memoryBytes?: number
}

/** The kind of a training run in the runs table. */
export const TRAINING_KIND = 'training'

/** Where a run's checkpoints live. */
export function runDirectory(workspace: string, runId: number): string {
  return join(workspace, runFolder({ id: runId, kind: TRAINING_KIND }))
}

/** A finished training run: its record and its parsed result. */
export interface TrainingRun {
  runId: number
  config: TrainConfig
  result: TrainResult
}

/** Trains a model as a recorded run; see the module comment. */
export async function trainRun(ctx: TrainingContext, input: unknown, options: TrainRunOptions = {}): Promise<TrainingRun> {
  const { db } = ctx
  const resolved = await resolveTrainJob(
    { db, ...(ctx.interpolate ? { interpolate: ctx.interpolate } : {}), ...(ctx.memoryBytes === undefined ? {} : { memoryBytes: ctx.memoryBytes }) },
    input,
  )
  const { config } = resolved
  const runId = createRun(db, {
    kind: TRAINING_KIND,
    datasetId: config.datasetId,
    seed: config.seed,
    config: { ...config, dataset: resolved.datasetName, numClasses: resolved.numClasses },
  })
  const dir = runDirectory(ctx.workspace, runId)
  const job: TrainJob = { ...resolved, runId, checkpointPath: join(dir, 'model.ckpt') }
  startRun(db, runId)
  try {
    const result = await ctx.runner(job, options)
    finishRun(db, runId, result)
    return { runId, config, result }
  } catch (err) {
    if (isInputError(err)) {
      // Bad data found before training started: as if the run had never been asked for.
      rmSync(dir, { recursive: true, force: true })
      db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    } else if (err instanceof CancelledError) {
      cancelRun(db, runId)
    } else {
      failRun(db, runId, err instanceof Error ? err.message : String(err))
    }
    throw err
  }
}

/** A stored training run (any status) or an InputError. */
export function requireTrainingRun(db: Db, runId: number): RunRecord {
  const run = getRun(db, runId)
  if (!run || run.kind !== TRAINING_KIND) throw new InputError(`run ${runId}`, 'no training run has this id')
  return run
}

/** The parsed result of a finished training run. */
export function trainingResult(run: RunRecord): TrainResult | null {
  if (run.status !== 'done' || run.result === null) return null
  return TrainResultSchema.parse(run.result)
}
