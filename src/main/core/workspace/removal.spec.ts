import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { removalLines } from '../../../shared/removal'
import { importDataset } from '../datasets/import'
import { inProcess } from '../execution'
import { interpolatePlan } from '../interpolation/plan-run'
import { runVolumeTask } from '../interpolation/volume-task'
import { createPlan } from '../planning/plans'
import { openDatabase, type Db } from '../store/database'
import { getDataset } from '../store/datasets-repo'
import { createRun, finishRun, getRun, startRun } from '../store/runs-repo'
import { requireSweep } from '../sweeps/control'
import { createSweep } from '../sweeps/create-sweep'
import { runSweep } from '../sweeps/run-sweep'
import { fakeRunner, smallGrid, tinyTrain } from '../sweeps/test-helpers'
import { sampleDataDir } from '../../test-support/shared-data'
import { previewRemoval, removeTarget, type RemovalTarget } from './removal'

let root: string
let workspace: string
let db: Db
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-removal-'))
  workspace = join(root, 'ws')
  db = openDatabase(join(root, 'w.db'))
  // Preprocessed, so the dataset owns files in the workspace; a second dataset must be left whole.
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample', preprocessing: { targetSpacing: [1, 1, 1] } })
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'other', preprocessing: { targetSpacing: [1, 1, 1] } })
})
afterEach(() => db.close())

/** Every row of every table, to check that a refused removal changed nothing. */
function snapshot(): string {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name)
  return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t}`).all()]))
}

const plan = async (dataset: string, density = 0.2): Promise<number> =>
  (await createPlan(db, { dataset, density, volumeFraction: 0.5, method: 'fixed' })).plan.planId
const interpolate = async (planId: number): Promise<number> => (await interpolatePlan({ db, workspace, execute: inProcess(runVolumeTask) }, { planId, method: 'nearest' })).runId

/** A finished training run of a dataset. */
function finishedRun(dataset: string, config: Record<string, unknown>): number {
  const id = createRun(db, { kind: 'training', datasetId: getDataset(db, dataset)?.id ?? null, config })
  startRun(db, id)
  finishRun(db, id, {})
  return id
}

/** A finished training run of a dataset with a checkpoint in its folder. */
function trainingRun(dataset: string): number {
  const id = finishedRun(dataset, { dataset })
  mkdirSync(join(workspace, 'runs', String(id)), { recursive: true })
  writeFileSync(join(workspace, 'runs', String(id), 'model.ckpt'), Buffer.alloc(100))
  return id
}

/** A sweep on the dataset, run with the fake runner (each trial a recorded training run), with checkpoints. */
async function ranSweep(dataset: string): Promise<number> {
  const { sweepId } = await createSweep(db, { dataset, definition: { grid: { ...smallGrid, seeds: [0] }, train: tinyTrain } })
  await runSweep({ db, workspace, runner: fakeRunner().runner }, sweepId, { workers: 1 })
  return sweepId
}

function refused(target: RemovalTarget, problem: RegExp): void {
  const before = snapshot()
  let caught: unknown
  try {
    removeTarget(db, workspace, target)
  } catch (err) {
    caught = err
  }
  expect(isInputError(caught), String(caught)).toBe(true)
  expect((caught as Error).message).toMatch(problem)
  expect(snapshot()).toBe(before)
}

describe('removing a dataset', () => {
  it('says what goes, then removes exactly that: rows, owned files; its training runs stay, marked', async () => {
    const planId = await plan('sample')
    const interpolation = await interpolate(planId)
    const sweepId = await ranSweep('sample')
    const trained = trainingRun('sample')
    const otherPlan = await plan('other')
    const otherRun = trainingRun('other')
    const sampleFiles = getDataset(db, 'sample')?.volumeRecords ?? []
    const otherFiles = getDataset(db, 'other')?.volumeRecords ?? []
    const trialRuns = (db.prepare('SELECT run_id AS id FROM sweep_trials WHERE sweep_id = ?').all(sweepId) as { id: number }[]).map((r) => r.id)

    const before = snapshot()
    const preview = previewRemoval(db, workspace, { dataset: 'sample' })
    expect(snapshot()).toBe(before)
    expect(preview).toMatchObject({ target: 'dataset sample', done: false, volumes: 20, sweeps: [sweepId], runs: [{ id: interpolation, kind: 'interpolation' }] })
    expect(preview.plans).toContain(planId)
    expect(preview.plans).not.toContain(otherPlan)
    expect(preview.trials).toBe(trialRuns.length)
    expect([...preview.keptRuns].sort((a, b) => a - b)).toEqual([...trialRuns, trained].sort((a, b) => a - b))
    expect(preview.folders.map((f) => f.path)).toEqual(expect.arrayContaining([join('interpolations', String(interpolation))]))
    expect(preview.bytes).toBe(preview.folders.reduce((n, f) => n + f.bytes, 0))
    expect(preview.bytes).toBeGreaterThan(0)
    expect(removalLines(preview)[0]).toMatch(/^dataset sample: will remove 20 volume records, \d+ plans? \([\d, ]+\), 1 sweep \(\d+\) with \d+ trials, 1 interpolation run \(\d+\)$/)
    expect(removalLines(preview)[2]).toMatch(/kept: \d+ training runs .* the history shows their dataset as removed/)

    const done = removeTarget(db, workspace, { dataset: 'sample' })
    expect({ ...done, done: false }).toEqual(preview)
    expect(getDataset(db, 'sample')).toBeUndefined()
    expect(() => requireSweep(db, sweepId)).toThrow(/no sweep has this id/)
    expect(getRun(db, interpolation)).toBeUndefined()
    expect(sampleFiles.some((v) => existsSync(v.imagePath) || existsSync(v.labelPath))).toBe(false)
    expect(existsSync(join(workspace, 'datasets', 'sample'))).toBe(false)
    expect(existsSync(join(workspace, 'interpolations', String(interpolation)))).toBe(false)
    // Training runs stay with their checkpoints, their dataset unset; the source folder is never touched.
    expect(getRun(db, trained)).toMatchObject({ datasetId: null, config: { dataset: 'sample' } })
    expect(existsSync(join(workspace, 'runs', String(trained), 'model.ckpt'))).toBe(true)
    expect(readdirSync(join(sampleDataDir, 'images')).length).toBeGreaterThan(0)
    // The other dataset is whole.
    expect(otherFiles.every((v) => existsSync(v.imagePath) && existsSync(v.labelPath))).toBe(true)
    expect(getRun(db, otherRun)?.datasetId).toBe(getDataset(db, 'other')?.id)
  }, 60_000)

  it('is refused while one of its runs is running, changing nothing', () => {
    const id = createRun(db, { kind: 'training', datasetId: getDataset(db, 'sample')?.id ?? null, config: {} })
    startRun(db, id)
    refused({ dataset: 'sample' }, new RegExp(`dataset sample: its run ${id} is running; cancel it or wait for it to end`))
    refused({ dataset: 'nope' }, /nope: no dataset has this name/)
  })
})

describe('removing a plan, a run, a sweep', () => {
  it('a plan goes with its interpolation runs and their masks; its training runs stay; refused while a sweep uses it', async () => {
    const planId = await plan('sample', 0.4)
    const interpolation = await interpolate(planId)
    const trained = finishedRun('sample', { planId })
    const report = removeTarget(db, workspace, { planId })
    expect(report).toMatchObject({ target: `plan ${planId}`, done: true, plans: [planId], runs: [{ id: interpolation, kind: 'interpolation' }], keptRuns: [trained] })
    expect(existsSync(join(workspace, 'interpolations', String(interpolation)))).toBe(false)
    expect(getRun(db, trained)).toBeDefined()
    refused({ planId }, new RegExp(`plan ${planId}: no plan has this id`))

    const sweepId = await ranSweep('sample')
    const used = (db.prepare('SELECT plan_id AS id FROM sweep_trials WHERE sweep_id = ? AND plan_id IS NOT NULL').get(sweepId) as { id: number }).id
    refused({ planId: used }, new RegExp(`plan ${used}: sweep ${sweepId} uses it; remove the sweep first \\(workbench sweep remove ${sweepId}\\)`))
  }, 60_000)

  it('a run goes with its checkpoints; refused while it runs or when it is a sweep’s trial', async () => {
    const trained = trainingRun('sample')
    expect(removeTarget(db, workspace, { runId: trained })).toMatchObject({ runs: [{ id: trained, kind: 'training' }], folders: [{ path: join('runs', String(trained)), files: 1, bytes: 100 }], bytes: 100 })
    expect(existsSync(join(workspace, 'runs', String(trained)))).toBe(false)
    expect(getRun(db, trained)).toBeUndefined()

    const running = createRun(db, { kind: 'training', config: {} })
    startRun(db, running)
    refused({ runId: running }, new RegExp(`run ${running}: the run ${running} is running`))
    const sweepId = await ranSweep('sample')
    const trialRun = (db.prepare('SELECT id, run_id AS runId FROM sweep_trials WHERE sweep_id = ? LIMIT 1').get(sweepId) as { id: number; runId: number })
    refused({ runId: trialRun.runId }, new RegExp(`run ${trialRun.runId}: is trial ${trialRun.id} of sweep ${sweepId}; remove the sweep`))
  }, 60_000)

  it('a sweep goes with its trials and their runs; its plans stay; refused while a trial runs', async () => {
    const sweepId = await ranSweep('sample')
    const trials = db.prepare('SELECT run_id AS runId, plan_id AS planId FROM sweep_trials WHERE sweep_id = ?').all(sweepId) as { runId: number; planId: number | null }[]
    db.prepare(`UPDATE sweep_trials SET status = 'running' WHERE id = (SELECT MIN(id) FROM sweep_trials WHERE sweep_id = ?)`).run(sweepId)
    refused({ sweepId }, new RegExp(`sweep ${sweepId}: sweep ${sweepId} has 1 running trial; cancel it \\(workbench sweep cancel ${sweepId}\\)`))
    db.prepare(`UPDATE sweep_trials SET status = 'cancelled' WHERE sweep_id = ?`).run(sweepId)

    const report = removeTarget(db, workspace, { sweepId })
    expect(report).toMatchObject({ sweeps: [sweepId], trials: trials.length })
    expect(report.runs.map((r) => r.id).sort((a, b) => a - b)).toEqual(trials.map((t) => t.runId).sort((a, b) => a - b))
    for (const t of trials) {
      expect(getRun(db, t.runId)).toBeUndefined()
      expect(existsSync(join(workspace, 'runs', String(t.runId)))).toBe(false)
      if (t.planId !== null) expect(db.prepare('SELECT 1 FROM plans WHERE id = ?').get(t.planId)).toBeDefined()
    }
  }, 60_000)
})
