import { InputError } from '../../../shared/errors'
import { interpolationMethods, type Fusion, type InterpolationMethod, type QualityRow } from '../../../shared/interpolation'
import { paperDensities, slicesPerVolume, assertUnitFraction } from '../planning/budget'
import { requireDataset } from '../planning/plans'
import { selectSlices } from '../planning/selectors'
import { deriveRng } from '../random/rng'
import { createRun, finishRun, startRun } from '../store/runs-repo'
import type { Db } from '../store/database'
import type { ExecuteOptions, TaskExecutor } from '../execution'
import type { VolumeTask, VolumeTaskResult } from './volume-task'

export interface QualityRequest {
  dataset: string
  densities?: readonly number[]
  methods?: readonly InterpolationMethod[]
  fusion?: Fusion
  selection?: 'fixed' | 'random'
  seed?: number
}

export interface QualityContext extends ExecuteOptions {
  db: Db
  execute: TaskExecutor<VolumeTask, VolumeTaskResult>
}

/**
 * The paper's Table 3 on a dataset: for each density and method, slices chosen in every volume of the
 * dataset (fixed interval, centred, or seeded random), interpolated, and measured against the dense human
 * masks; mean foreground IoU and Dice over the volumes. Stored as one run of kind 'interp-quality'.
 */
export async function interpolationQuality(ctx: QualityContext, request: QualityRequest): Promise<{ runId: number; rows: QualityRow[] }> {
  const densities = request.densities ?? paperDensities
  const methods = request.methods ?? interpolationMethods
  const selection = request.selection ?? 'fixed'
  const seed = request.seed ?? 0
  const fusion = request.fusion ?? 'weighted'
  densities.forEach((d) => assertUnitFraction(d, '--densities'))
  if (methods.length === 0) throw new InputError('--method', 'name at least one method')
  const dataset = requireDataset(ctx.db, request.dataset)
  if (dataset.volumeRecords.length === 0) throw new InputError(dataset.name, 'has no volumes')

  const cells = methods.flatMap((method) => densities.map((density) => ({ method, density })))
  const tasks: VolumeTask[] = cells.flatMap(({ method, density }) =>
    dataset.volumeRecords.map((v) => {
      const n = v.dims[v.sliceAxis]
      const annotated = selectSlices(selection, { sliceCount: n, k: slicesPerVolume(n, density), rng: deriveRng(seed, 'interp-quality', v.caseId, density) }, { offset: 0.5 })
      return {
        imagePath: v.imagePath,
        labelPath: v.labelPath,
        annotated,
        method,
        ...(method === 'propagate' ? { fusion } : {}),
        emptyWhenNothingAnnotated: true,
      }
    }),
  )
  const results = await ctx.execute(tasks, ctx)
  const per = dataset.volumeRecords.length
  const rows: QualityRow[] = cells.map(({ method, density }, c) => {
    const slice = results.slice(c * per, (c + 1) * per)
    return {
      density,
      method,
      fusion: method === 'propagate' ? fusion : null,
      selection,
      meanIoU: slice.reduce((s, r) => s + r.iou, 0) / per,
      meanDice: slice.reduce((s, r) => s + r.dice, 0) / per,
      volumes: per,
      msPerVolume: slice.reduce((s, r) => s + r.ms, 0) / per,
    }
  })
  const db = ctx.db
  const runId = createRun(db, { kind: 'interp-quality', datasetId: dataset.id, seed, config: { densities, methods, fusion, selection } })
  db.transaction(() => {
    startRun(db, runId)
    finishRun(db, runId, { rows })
  })()
  return { runId, rows }
}
