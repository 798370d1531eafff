// Sweep definition, grid expansion, storage and the runner's bookkeeping, with a fake training runner
// (a real sweep of tiny models, killed with kill -9 and resumed, is in cli/cli-sweep.spec.ts).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { listPlans } from '../store/plans-repo'
import { openDatabase, type Db } from '../store/database'
import { getRun, listRuns } from '../store/runs-repo'
import { listSweeps, listTrials } from '../store/sweeps-repo'
import { cancelSweep, resumeSweep, retryFailed, sweepStatus } from './control'
import { createSweep } from './create-sweep'
import { assertCellsPossible, expandTrials, trialCount, trialKey } from './expand'
import { runSweep } from './run-sweep'
import { fakeRunner, smallGrid, tinyTrain } from './test-helpers'
import { SweepGridSchema } from '../../../shared/sweep'

let db: Db
let workspace: string
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-sweep-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
})
afterEach(() => db.close())

const grid = SweepGridSchema.parse(smallGrid)

describe('grid expansion', () => {
  it('expands the product of the grid and adds one dense baseline per model and seed', () => {
    const full = SweepGridSchema.parse({
      densities: [0.05, 0.1, 0.2, 0.4, 0.8],
      volumeFractions: [0.125, 0.25, 0.5, 1],
      methods: ['fixed', 'random', 'representative'],
      interpolation: ['none', 'propagate'],
      models: [{ name: 'a', model: {} }, { name: 'b', model: { kind: 'unet3d' } }],
      seeds: [0, 1, 2],
    })
    const trials = expandTrials(full)
    // 5·4·3·2 = 120 sparse cells + 1 dense, for 2 models × 3 seeds.
    expect(trials).toHaveLength(3 * 2 * 121)
    expect(trialCount(full)).toBe(trials.length)
    expect(trials.filter((t) => t.dense)).toHaveLength(6)
    expect(new Set(trials.map(trialKey)).size).toBe(trials.length)
    expect(trials.filter((t) => t.model === 'b' && t.seed === 2 && t.interpolation === 'propagate')).toHaveLength(60)
    expect(trials[0]).toMatchObject({ dense: true, density: 1, volumeFraction: 1, method: 'dense', seed: 0 })
  })

  it('refuses a cell whose budget is below one slice per volume, and repeated values', () => {
    // 4 volumes of 10 slices: ρ = 0.05 spends 0.5 slices a volume.
    expect(() => assertCellsPossible(SweepGridSchema.parse({ ...smallGrid, densities: [0.05] }), [10, 10, 10, 10], 'sweep')).toThrow(
      /grid cell ρ = 0.05, s = 0.5: spends 1\.0 slices on 2 volumes: below one slice per volume/,
    )
    expect(() => assertCellsPossible(SweepGridSchema.parse({ ...smallGrid, densities: [0.1] }), [10, 10, 10, 10], 'sweep')).not.toThrow()
    expect(() => assertCellsPossible(SweepGridSchema.parse({ ...smallGrid, seeds: [1, 1] }), [10], 'sweep')).toThrow(/lists a value twice/)
  })
})

describe('createSweep', () => {
  it('stores the sweep with its queued trials, each on its plan; identical plans are shared by seed', async () => {
    const created = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    expect(created.trials).toBe(2 * (8 + 1))
    expect(created.plansCreated).toBe(2 * 2 * 2 * 2)
    const status = sweepStatus(db, created.sweepId)
    expect(status.counts).toEqual({ total: 18, queued: 18, running: 0, done: 0, failed: 0, cancelled: 0 })
    const dense = status.trials.filter((t) => t.spec.dense)
    expect(dense.map((t) => t.planId)).toEqual([null, null])
    expect(dense[0]?.budget).toBe(status.sweep.trainSlices)
    for (const t of status.trials.filter((t) => !t.spec.dense)) {
      const plan = listPlans(db).find((p) => p.planId === t.planId)
      expect(plan).toMatchObject({ density: t.spec.density, volumes: t.spec.volumeFraction, method: t.spec.method, seed: t.spec.seed })
      expect(t.budget).toBe(plan?.totalSlices)
    }
    // A second sweep over the same cells reuses the plans.
    const again = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    expect(again).toMatchObject({ plansCreated: 0, plansReused: 16 })
  })

  it('bad input: clear errors and nothing stored (no sweep, no plan)', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ grid: { ...smallGrid, densities: [0.01] } }, 'sample', /grid cell ρ = 0.01, s = 0.5: .*below one slice per volume/],
      [{ grid: { ...smallGrid, densities: [0.4, 0.01] } }, 'sample', /below one slice per volume/],
      [{ grid: { ...smallGrid, densities: [1.5] } }, 'sample', /sweep grid\.densities\.0: must be at most 1/],
      [{ grid: { ...smallGrid, models: [] } }, 'sample', /sweep grid\.models/],
      [{ grid: smallGrid, train: { seed: 3 } }, 'sample', /train\.seed: is set by each trial/],
      [{ grid: smallGrid, train: { steps: -1 } }, 'sample', /sweep train\.steps: Too small/],
      [{ grid: { ...smallGrid, models: [{ name: 'x', model: { depth: 3 } }] }, train: { sliceSize: [36, 36] } }, 'sample', /--slice-size: 36×36 is not a multiple of 8/],
      [{ grid: smallGrid }, 'nope', /nope: no dataset has this name/],
      // Unknown keys, refused by name at every level (before, each was dropped and its default taken).
      [{ grid: smallGrid, trian: { steps: 2 } }, 'sample', /^sweep definition: unknown key 'trian'$/],
      [{ grid: { ...smallGrid, seedz: [4, 5] } }, 'sample', /^sweep grid: unknown key 'seedz'$/],
      [{ grid: { ...smallGrid, models: [{ name: 'x', model: { depth: 1 }, norm: 'none' }] } }, 'sample', /^sweep grid\.models\.0: unknown key 'norm'$/],
      [{ grid: { ...smallGrid, models: [{ name: 'x', model: { depht: 1 } }] } }, 'sample', /^sweep grid\.models\.0\.model: unknown key 'depht'$/],
      [{ grid: smallGrid, train: { ...tinyTrain, stepz: 10 } }, 'sample', /^sweep train: unknown key 'stepz'$/],
      [{ grid: smallGrid, train: { ...tinyTrain, optimizer: { lrr: 0.1 } } }, 'sample', /^sweep train\.optimizer: unknown key 'lrr'$/],
      // A shared config this machine cannot train: refused before any plan is made.
      [{ grid: smallGrid, train: { ...tinyTrain, sliceSize: [65536, 65536] } }, 'sample', /^train option sliceSize: 65536×65536 would need .* this machine can give one training run at most/],
    ]
    for (const [definition, dataset, message] of cases) {
      await expect(createSweep(db, { dataset, definition: definition as never }), message.source).rejects.toThrow(message)
    }
    expect(listSweeps(db)).toEqual([])
    expect(listPlans(db)).toEqual([])
  })
})

describe('stored sweeps and plans', () => {
  it('read back rows holding keys the input schemas refuse (written by another version): strict is for inputs only', async () => {
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    const definition = JSON.parse((db.prepare('SELECT definition_json FROM sweeps WHERE id = ?').get(sweepId) as { definition_json: string }).definition_json)
    const older = { ...definition, retired: true, grid: { ...definition.grid, retired: 1, models: definition.grid.models.map((m: object) => ({ ...m, retired: 1, model: { ...(m as { model: object }).model, retired: 1 } })) } }
    db.prepare('UPDATE sweeps SET definition_json = ? WHERE id = ?').run(JSON.stringify(older), sweepId)
    db.prepare("UPDATE plans SET request_json = json_set(request_json, '$.retired', 1)").run()
    expect(sweepStatus(db, sweepId).sweep.definition.grid.densities).toEqual(smallGrid.densities)
    expect(listPlans(db).length).toBeGreaterThan(0)
  })
})

describe('runSweep', () => {
  it('runs every trial with its plan, model and seed, storing run, backend and metrics', async () => {
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    const fake = fakeRunner()
    const events: number[] = []
    const summary = await runSweep({ db, workspace, runner: fake.runner }, sweepId, { workers: 2, onProgress: (p) => events.push(p.finished) })
    expect(summary).toMatchObject({ ran: 18, stopped: null, counts: { total: 18, done: 18 } })
    expect(events.at(-1)).toBe(18)
    const trials = listTrials(db, sweepId)
    for (const [i, t] of trials.entries()) {
      const job = fake.started.find((j) => j.runId === t.runId)
      expect(job?.config).toMatchObject({ planId: t.planId, seed: t.spec.seed, model: { depth: 1, baseChannels: 4 }, steps: 2 })
      expect(t).toMatchObject({ status: 'done', backend: 'wasm', attempts: 1, error: null })
      expect(t.metrics?.volumes).toHaveLength(3)
      expect(getRun(db, t.runId as number)).toMatchObject({ kind: 'training', status: 'done' })
      expect(t.ordinal).toBe(i)
    }
    // Dense trials train on every training volume.
    const dense = trials.find((t) => t.spec.dense)
    expect(dense?.metrics?.trainVolumes).toBe(15)
  })

  it('failed trials keep their error and are re-run alone by retry', async () => {
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    const failing = fakeRunner({ fail: (job) => job.config.seed === 1 && job.config.planId !== null && job.train.length === 15 })
    const first = await runSweep({ db, workspace, runner: failing.runner }, sweepId, { workers: 1 })
    expect(first.counts).toMatchObject({ done: 14, failed: 4 })
    const failed = listTrials(db, sweepId).filter((t) => t.status === 'failed')
    for (const t of failed) expect(t.error).toMatch(/^fake failure of run \d+$/)
    const doneBefore = listTrials(db, sweepId).filter((t) => t.status === 'done')

    const retried = retryFailed(db, sweepId)
    expect(retried.sort()).toEqual(failed.map((t) => t.id).sort())
    const healthy = fakeRunner()
    const second = await runSweep({ db, workspace, runner: healthy.runner }, sweepId, { workers: 2, onlyTrialIds: retried })
    expect(second).toMatchObject({ ran: 4, counts: { done: 18, failed: 0 } })
    expect(healthy.started).toHaveLength(4)
    const after = listTrials(db, sweepId)
    for (const t of doneBefore) expect(after.find((a) => a.id === t.id)).toEqual(t)
    for (const t of failed) expect(after.find((a) => a.id === t.id)).toMatchObject({ status: 'done', attempts: 2, error: null })
    expect(listRuns(db, { kind: 'training' }).filter((r) => r.status === 'failed')).toHaveLength(4)
  })

  it('a paused runner re-queues its running trials; a dead runner\'s trials are re-queued at the next start', async () => {
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    const controller = new AbortController()
    const slow = fakeRunner({ delayMs: 30 })
    const paused = await runSweep({ db, workspace, runner: slow.runner }, sweepId, {
      workers: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.counts.done >= 3) controller.abort()
      },
    })
    expect(paused.stopped).toBe('paused')
    expect(paused.counts.running).toBe(0)
    expect(paused.counts.done).toBeGreaterThanOrEqual(3)
    expect(paused.counts.queued + paused.counts.done).toBe(18)

    // A runner killed mid-trial: its trial is left 'running' with the dead pid.
    const victim = listTrials(db, sweepId).find((t) => t.status === 'queued')!
    db.prepare(`UPDATE sweep_trials SET status = 'running', pid = 999999999, host = (SELECT host FROM runs LIMIT 1) WHERE id = ?`).run(victim.id)
    const done = listTrials(db, sweepId).filter((t) => t.status === 'done')
    const resumed = await runSweep({ db, workspace, runner: fakeRunner().runner }, sweepId, { workers: 2 })
    expect(resumed.counts).toMatchObject({ done: 18, queued: 0, running: 0 })
    const after = listTrials(db, sweepId)
    for (const t of done) expect(after.find((a) => a.id === t.id)).toEqual(t)
    expect(after.find((t) => t.id === victim.id)?.attempts).toBe(2)
  })

  it('cancel from outside stops the runner: queued and running trials cancelled; resume runs them', async () => {
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    let cancelled = false
    const summary = await runSweep({ db, workspace, runner: fakeRunner({ delayMs: 40 }).runner }, sweepId, {
      workers: 2,
      pollMs: 5,
      onProgress: (p) => {
        if (!cancelled && p.counts.done >= 2) {
          cancelled = true
          cancelSweep(db, sweepId)
        }
      },
    })
    expect(summary.stopped).toBe('cancelled')
    expect(summary.counts.cancelled).toBeGreaterThan(0)
    expect(summary.counts.cancelled + summary.counts.done).toBe(18)
    expect(summary.counts.running + summary.counts.queued).toBe(0)
    // A cancelled sweep does not run until resumed.
    expect((await runSweep({ db, workspace, runner: fakeRunner().runner }, sweepId)).ran).toBe(0)
    expect(() => retryFailed(db, sweepId)).toThrow(/is cancelled/)
    resumeSweep(db, sweepId)
    const resumed = await runSweep({ db, workspace, runner: fakeRunner().runner }, sweepId, { workers: 2 })
    expect(resumed.counts.done).toBe(18)
  })

  it('a sweep id that does not exist is a clear error', async () => {
    await expect(runSweep({ db, workspace, runner: fakeRunner().runner }, 42)).rejects.toThrow(/sweep 42: no sweep has this id/)
    expect(() => cancelSweep(db, 42)).toThrow(/sweep 42: no sweep has this id/)
  })
})
