import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importDataset } from '../datasets/import'
import { inProcess } from '../execution'
import { createPlan } from '../planning/plans'
import { openDatabase, type Db } from '../store/database'
import { insertPlan } from '../store/plans-repo'
import { listRuns } from '../store/runs-repo'
import { sampleDataDir } from '../../test-support/shared-data'
import { interpolationOnWorkers } from '../../workers/executors'
import { foregroundSliceIndices, readLabelFile } from '../volume'
import { getInterpolationRun, interpolatePlan } from './plan-run'
import { interpolationQuality } from './quality-table'
import { runVolumeTask } from './volume-task'

let db: Db
let workspace: string
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-interp-run-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
})
afterEach(() => db.close())

const execute = inProcess(runVolumeTask)

describe('interpolatePlan', () => {
  it('interpolates every plan volume, stores per-volume and per-slice quality, and writes the masks', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })
    const run = await interpolatePlan({ db, workspace, execute }, { planId: plan.planId, method: 'sdf' })
    expect(run.volumes).toHaveLength(plan.items.length)
    for (const v of run.volumes) {
      const item = plan.items.find((i) => i.volume === v.volume)
      expect(v.annotated).toEqual(item?.slices)
      expect(v.slices).toHaveLength(item?.sliceCount ?? -1)
      expect(v.slices.filter((s) => s.source === 'annotated').map((s) => s.index)).toEqual(item?.slices)
      // Annotated slices are copied, so they match the human mask exactly.
      for (const s of v.slices.filter((x) => x.source === 'annotated')) expect(s.iou).toBe(1)
      const human = readLabelFile(join(sampleDataDir, 'labels', `${v.volume}.nii.gz`))
      expect(readLabelFile(v.maskPath).header.dims).toEqual(human.header.dims)
      // Each slice says whether the human mask has foreground there: the chart's "both empty" vs "object missed".
      const humanSlices = foregroundSliceIndices(human.header.dims, human.data, human.header.sliceAxis)
      expect(v.slices.filter((s) => s.foreground).map((s) => s.index)).toEqual(humanSlices)
      expect(humanSlices.length).toBeGreaterThan(0)
      expect(humanSlices.length).toBeLessThan(v.slices.length)
    }
    expect(run.meanIoU).toBeCloseTo(run.volumes.reduce((s, v) => s + v.iou, 0) / run.volumes.length)
    // Distance 0 rows are the annotated slices (IoU 1); rows cover every slice once.
    expect(run.byDistance[0]).toMatchObject({ distance: 0, meanIoU: 1 })
    expect(run.byDistance.reduce((s, d) => s + d.slices, 0)).toBe(run.volumes.reduce((s, v) => s + v.slices.length, 0))
    expect(getInterpolationRun(db, run.runId)).toEqual(run)
    expect(listRuns(db)[0]).toMatchObject({ kind: 'interpolation', status: 'done' })
  })

  it('runs on worker threads with the same result as in process', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.1, volumeFraction: 0.125, method: 'fixed' })
    const a = await interpolatePlan({ db, workspace, execute }, { planId: plan.planId, method: 'propagate' })
    const b = await interpolatePlan({ db, workspace, execute: interpolationOnWorkers, workers: 2 }, { planId: plan.planId, method: 'propagate' })
    expect(b.volumes.map((v) => v.iou)).toEqual(a.volumes.map((v) => v.iou))
  })

  it('refuses an unknown plan or method, storing nothing; a plan whose annotated slices hold no object gives empty masks', async () => {
    await expect(interpolatePlan({ db, workspace, execute }, { planId: 99, method: 'sdf' })).rejects.toThrow(/plan 99: no plan has this id/)
    await expect(interpolatePlan({ db, workspace, execute }, { planId: 1, method: 'magic' })).rejects.toThrow(/--method/)
    const volume = (await import('../store/datasets-repo')).getDataset(db, 'sample')?.volumeRecords.find((v) => v.subset === 'train')
    if (!volume) throw new Error('no training volume')
    // Slice 0 of a hippocampus crop holds no hippocampus.
    const empty = insertPlan(db, {
      datasetId: 1, dataset: 'sample', density: 0.05, volumes: 0.1, method: 'fixed', features: null, rule: null, scope: 'volume',
      subsetMode: 'nested', seed: 0, source: 'generated', request: null, totalSlices: 1, perVolumeCountsDiffer: false,
      items: [{ volumeId: volume.id, volume: volume.caseId, sliceAxis: 2, sliceCount: volume.dims[2], slices: [0] }],
    })
    expect(listRuns(db)).toEqual([])
    expect(existsSync(join(workspace, 'interpolations')) ? readdirSync(join(workspace, 'interpolations')) : []).toEqual([])
    // The annotator saw nothing on the slice, so nothing is filled in: the volume scores 0 against its human mask.
    const run = await interpolatePlan({ db, workspace, execute }, { planId: empty.planId, method: 'propagate' })
    expect(run.volumes).toHaveLength(1)
    expect(run.meanIoU).toBe(0)
    expect(listRuns(db)).toHaveLength(1)
  })

  it('marks a cancelled run as cancelled', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.1, volumeFraction: 1, method: 'fixed' })
    const controller = new AbortController()
    controller.abort()
    await expect(interpolatePlan({ db, workspace, execute, signal: controller.signal }, { planId: plan.planId, method: 'nearest' })).rejects.toThrow(/cancelled/)
    expect(listRuns(db)[0]).toMatchObject({ kind: 'interpolation', status: 'cancelled' })
  })
})

describe('interpolationQuality', () => {
  it('gives one row per method and density over all volumes, better at higher density', async () => {
    const { rows, runId } = await interpolationQuality({ db, execute }, { dataset: 'sample', densities: [0.1, 0.4], methods: ['sdf', 'nearest'] })
    expect(rows.map((r) => [r.method, r.density, r.volumes])).toEqual([
      ['sdf', 0.1, 20],
      ['sdf', 0.4, 20],
      ['nearest', 0.1, 20],
      ['nearest', 0.4, 20],
    ])
    for (const m of ['sdf', 'nearest']) {
      const [low, high] = rows.filter((r) => r.method === m)
      expect(high?.meanIoU).toBeGreaterThan(low?.meanIoU ?? 1)
    }
    expect(listRuns(db).find((r) => r.id === runId)).toMatchObject({ kind: 'interp-quality', status: 'done', result: { rows } })
  })

  it('refuses densities outside (0, 1] and unknown datasets', async () => {
    await expect(interpolationQuality({ db, execute }, { dataset: 'sample', densities: [0] })).rejects.toThrow(/--densities/)
    await expect(interpolationQuality({ db, execute }, { dataset: 'nope' })).rejects.toThrow(/nope/)
    expect(listRuns(db)).toEqual([])
  })
})
