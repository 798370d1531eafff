// A training run end to end on the bundled sample (tiny nets, a few steps): the run record, the checkpoint,
// the evaluation, and every way a run can end — done, cancelled, failed, refused before it started.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { trainOnWorker } from '../../workers/train-runner'
import { importDataset } from '../datasets/import'
import type { InterpolationMethod } from '../../../shared/interpolation'
import { CancelledError, inProcess } from '../execution'
import { interpolatePlan } from '../interpolation/plan-run'
import { runVolumeTask } from '../interpolation/volume-task'
import { createPlan } from '../planning/plans'
import { openDatabase, type Db } from '../store/database'
import { getRun, listRuns } from '../store/runs-repo'
import { readCheckpoint } from './checkpoint'
import { runDirectory, trainInProcess, trainingResult, trainRun, type TrainRunner } from './run-training'

let db: Db
let workspace: string
let datasetId: number
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-train-run-'))
  db = openDatabase(':memory:')
  datasetId = importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' }).id
})
afterEach(() => db.close())

/** A net small enough to train a few steps in well under a second. */
const tiny = { model: { depth: 1, baseChannels: 4 }, batchSize: 2, sliceSize: [64, 64], steps: 3, logEvery: 1 }

describe('trainRun', () => {
  it('trains a 2D net on a plan, evaluates on the test split and stores the run with its checkpoint', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.5, method: 'fixed' })
    const progress: string[] = []
    const run = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, planId: plan.planId, seed: 3 }, {
      onProgress: (p) => progress.push(p.phase),
    })
    expect(progress[0]).toBe('loading')
    expect(progress).toContain('training')
    expect(progress.at(-1)).toBe('evaluating')
    const record = getRun(db, run.runId)
    expect(record).toMatchObject({ kind: 'training', status: 'done', seed: 3, datasetId })
    expect(record?.config).toMatchObject({ planId: plan.planId, dataset: 'sample', numClasses: 3, steps: 3 })
    const result = trainingResult(record!)
    expect(result?.backend).toBe('wasm')
    expect(result?.curve.map((p) => p.step)).toEqual([1, 2, 3])
    expect(result?.annotatedSlices).toBe(plan.totalSlices)
    expect(result?.evaluation?.volumes).toHaveLength(3)
    expect(result?.evaluation?.perClass.map((c) => c.label)).toEqual([1, 2])
    for (const v of result?.evaluation?.volumes ?? []) expect(v.dice).toBeGreaterThanOrEqual(0)
    expect(existsSync(result!.checkpoint)).toBe(true)
    expect(result!.checkpoint.startsWith(runDirectory(workspace, run.runId))).toBe(true)
    expect(readCheckpoint(result!.checkpoint).header).toBeTruthy()
  })

  it('the same seed gives the same losses', async () => {
    const a = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, seed: 5, evaluateOn: 'none' })
    const b = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, seed: 5, evaluateOn: 'none' })
    const c = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, seed: 6, evaluateOn: 'none' })
    expect(b.result.curve.map((p) => p.loss)).toEqual(a.result.curve.map((p) => p.loss))
    expect(c.result.curve.map((p) => p.loss)).not.toEqual(a.result.curve.map((p) => p.loss))
    expect(a.result.evaluation).toBeNull()
  })

  it('trains a 3D net on patches and logs the annotated fraction of a sparse plan', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })
    const run = await trainRun({ db, workspace, runner: trainInProcess }, {
      datasetId,
      planId: plan.planId,
      model: { kind: 'unet3d', depth: 1, baseChannels: 2 },
      patchSize: [16, 16, 16],
      batchSize: 1,
      steps: 2,
      logEvery: 1,
      evaluateOn: 'validation',
      windowOverlap: 0,
    })
    const fractions = run.result.curve.map((p) => p.annotatedFraction ?? -1)
    for (const f of fractions) expect(f).toBeGreaterThan(0)
    for (const f of fractions) expect(f).toBeLessThan(1)
    expect(run.result.evaluation?.split).toBe('validation')
    expect(run.result.evaluation?.volumes).toHaveLength(2)
  })

  it('M.I. mode trains on every slice of the plan volumes, with the interpolated masks it makes first', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })
    const interpolate = (planId: number, method: InterpolationMethod) => interpolatePlan({ db, workspace, execute: inProcess(runVolumeTask) }, { planId, method })
    const run = await trainRun({ db, workspace, runner: trainInProcess, interpolate }, { ...tiny, datasetId, planId: plan.planId, interpolated: 'sdf', evaluateOn: 'none' })
    const sliceCount = plan.items.reduce((n, i) => n + i.sliceCount, 0)
    expect(run.result.annotatedSlices).toBe(sliceCount)
    expect(run.result.annotatedSlices).toBeGreaterThan(plan.totalSlices)
    expect(getRun(db, run.runId)?.config).toMatchObject({ planId: plan.planId, interpolated: 'sdf' })
    expect(listRuns(db, { kind: 'interpolation' })).toHaveLength(1)
  })

  it('a run cancelled through its signal is marked cancelled', async () => {
    const controller = new AbortController()
    const running = trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, steps: 50, evaluateOn: 'none' }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'training') controller.abort()
      },
    })
    await expect(running).rejects.toBeInstanceOf(CancelledError)
    expect(listRuns(db)[0]).toMatchObject({ kind: 'training', status: 'cancelled' })
  })

  it('a runner that crashes leaves the run failed with its error, never running', async () => {
    const crashing: TrainRunner = async () => {
      throw new Error('out of memory')
    }
    await expect(trainRun({ db, workspace, runner: crashing }, { ...tiny, datasetId })).rejects.toThrow('out of memory')
    expect(listRuns(db)[0]).toMatchObject({ status: 'failed', error: 'out of memory' })
  })

  it('bad input stores nothing: an invalid config, and a corrupt checkpoint found by the runner', async () => {
    await expect(trainRun({ db, workspace, runner: trainInProcess }, { datasetId, model: { kind: 'resnet' } })).rejects.toThrow(/model\.kind/)
    const corrupt = join(workspace, 'corrupt.ckpt')
    writeFileSync(corrupt, 'not a checkpoint')
    await expect(trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, initFrom: corrupt })).rejects.toThrow(corrupt)
    expect(listRuns(db)).toEqual([])
  })

  it('continues from a checkpoint: the loaded net starts where the first run ended', async () => {
    const first = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, seed: 1, evaluateOn: 'none' })
    const second = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, seed: 1, evaluateOn: 'none', initFrom: first.result.checkpoint })
    expect(second.result.curve[0]?.loss).not.toEqual(first.result.curve[0]?.loss)
  })
})

describe('trainOnWorker', () => {
  it('trains in a worker thread with the same result as in process, and cancels there', async () => {
    const config = { ...tiny, datasetId, seed: 2, evaluateOn: 'none' as const }
    const here = await trainRun({ db, workspace, runner: trainInProcess }, config)
    const there = await trainRun({ db, workspace, runner: trainOnWorker }, config)
    expect(there.result.curve.map((p) => p.loss)).toEqual(here.result.curve.map((p) => p.loss))

    const controller = new AbortController()
    const running = trainRun({ db, workspace, runner: trainOnWorker }, { ...config, steps: 500 }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'training') controller.abort()
      },
    })
    await expect(running).rejects.toBeInstanceOf(CancelledError)
    expect(listRuns(db)[0]).toMatchObject({ status: 'cancelled' })
  })
})
