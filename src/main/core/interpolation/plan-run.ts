import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { isInputError, InputError, parseInput } from '../../../shared/errors'
import {
  InterpolateRequestSchema,
  type DistanceRow,
  type InterpolateRequest,
  type InterpolationRun,
  type VolumeInterpolation,
} from '../../../shared/interpolation'
import { CancelledError, type ExecuteOptions, type TaskExecutor } from '../execution'
import { requireDataset, requirePlan } from '../planning/plans'
import type { Db } from '../store/database'
import { getInterpolationVolumes, insertInterpolationVolumes } from '../store/interpolation-repo'
import { cancelRun, createRun, failRun, finishRun, getRun, startRun } from '../store/runs-repo'
import { qualityByDistance } from './metrics'
import type { VolumeTask, VolumeTaskResult } from './volume-task'
import { runFolder } from '../workspace/folders'

export interface InterpolationContext extends ExecuteOptions {
  db: Db
  workspace: string
  execute: TaskExecutor<VolumeTask, VolumeTaskResult>
}

/** Parses an interpolation request, naming the option that is wrong. */
export function parseInterpolateRequest(input: unknown): InterpolateRequest {
  return parseInput(InterpolateRequestSchema, input, (path) => `--${path || 'options'}`)
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

/**
 * Interpolates every volume of a plan with one method, on the executor's workers, and stores the run:
 * per-volume and per-slice quality in SQLite, dense masks under workspace/interpolations/<run>/.
 * The run is 'running' while it works (so a killed process leaves it to be marked failed), then done,
 * cancelled or failed; bad input removes it again, leaving the store as it was.
 */
export async function interpolatePlan(ctx: InterpolationContext, input: unknown): Promise<InterpolationRun> {
  const request = parseInterpolateRequest(input)
  const { db } = ctx
  const plan = requirePlan(db, request.planId)
  const dataset = requireDataset(db, plan.dataset)
  const records = new Map(dataset.volumeRecords.map((v) => [v.id, v]))
  const fusion = request.method === 'propagate' ? request.fusion : null
  const runId = createRun(db, { kind: 'interpolation', datasetId: dataset.id, config: { planId: plan.planId, method: request.method, fusion } })
  startRun(db, runId)
  const outDir = join(ctx.workspace, runFolder({ id: runId, kind: 'interpolation' }))
  try {
    const tasks: VolumeTask[] = plan.items.map((item) => {
      const record = records.get(item.volumeId)
      if (!record) throw new InputError(`plan ${plan.planId}`, `refers to volume ${item.volume}, which its dataset no longer has`)
      return {
        imagePath: record.imagePath,
        labelPath: record.labelPath,
        ...(item.maskPath ? { maskPath: item.maskPath } : {}),
        annotated: item.slices,
        method: request.method,
        ...(fusion ? { fusion } : {}),
        outPath: join(outDir, `${item.volume}.nii.gz`),
        perSlice: true,
      }
    })
    const results = await ctx.execute(tasks, ctx)
    const volumes = plan.items.map((item, i) => {
      const r = results[i] as VolumeTaskResult
      return { volumeId: item.volumeId, volume: item.volume, maskPath: tasks[i]?.outPath ?? '', annotated: item.slices, ...r }
    })
    const meanIoU = mean(volumes.map((v) => v.iou))
    const meanDice = mean(volumes.map((v) => v.dice))
    db.transaction(() => {
      insertInterpolationVolumes(db, runId, volumes)
      finishRun(db, runId, { meanIoU, meanDice, volumes: volumes.length, outDir })
    })()
    return { runId, planId: plan.planId, method: request.method, fusion, meanIoU, meanDice, outDir, byDistance: byDistanceOf(volumes), volumes }
  } catch (err) {
    rmSync(outDir, { recursive: true, force: true })
    if (isInputError(err)) db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    else if (err instanceof CancelledError) cancelRun(db, runId)
    else failRun(db, runId, err instanceof Error ? err.message : String(err))
    throw err
  }
}

/** A stored interpolation run, or an InputError. */
export function getInterpolationRun(db: Db, runId: number): InterpolationRun {
  const run = getRun(db, runId)
  if (!run || run.kind !== 'interpolation') throw new InputError(`run ${runId}`, 'no interpolation run has this id')
  if (run.status !== 'done') throw new InputError(`run ${runId}`, `is ${run.status}${run.error ? `: ${run.error}` : ''}`)
  const config = run.config as { planId: number; method: InterpolationRun['method']; fusion: InterpolationRun['fusion'] }
  const result = run.result as { meanIoU: number; meanDice: number; outDir: string }
  const volumes = getInterpolationVolumes(db, runId)
  return { runId, planId: config.planId, method: config.method, fusion: config.fusion, ...result, byDistance: byDistanceOf(volumes), volumes }
}

/** Quality against distance over every slice of the run's volumes (derived, so not stored twice). */
function byDistanceOf(volumes: readonly VolumeInterpolation[]): DistanceRow[] {
  return qualityByDistance(volumes.flatMap((v) => v.slices))
}
