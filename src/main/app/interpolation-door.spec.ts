import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEventPayload } from '../../shared/api'
import { importDataset } from '../core/datasets/import'
import { CancelledError, inProcess, type TaskExecutor } from '../core/execution'
import { runVolumeTask, type VolumeTask, type VolumeTaskResult } from '../core/interpolation/volume-task'
import { createPlan } from '../core/planning/plans'
import { openDatabase, type Db } from '../core/store/database'
import { listRuns } from '../core/store/runs-repo'
import { sampleDataDir } from '../test-support/shared-data'
import { createInterpolationDoor } from './interpolation-door'

let db: Db
let workspace: string
let planId: number
let volumes: number
beforeEach(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-interp-door-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
  const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed', seed: 0 })
  planId = plan.planId
  volumes = plan.items.length
})
afterEach(() => db.close())

describe('createInterpolationDoor', () => {
  it('counts the volumes done in progress events under the task id, from 0 of N to N of N', async () => {
    const events: ApiEventPayload<'progress'>[] = []
    const door = createInterpolationDoor({ db, workspace, emit: (p) => events.push(p), execute: inProcess((task: VolumeTask) => runVolumeTask(task)) })
    const run = await door.run({ planId, method: 'nearest', task: 'ui-1' })
    expect(run.volumes).toHaveLength(volumes)
    expect(events.map((e) => [e.task, e.done, e.total])).toEqual(Array.from({ length: volumes + 1 }, (_, i) => ['ui-1', i, volumes]))
    expect(() => door.cancel('ui-1')).toThrow(/not interpolating/)
  })

  it('cancels a run by its task: run rejects in plain words, the record says cancelled and no mask is left', async () => {
    let outPath = ''
    // Writes a first, half-made mask, then waits until it is cancelled (as a worker pool does).
    const execute: TaskExecutor<VolumeTask, VolumeTaskResult> = (tasks, options) =>
      new Promise((_done, fail) => {
        outPath = tasks[0]?.outPath ?? ''
        mkdirSync(dirname(outPath), { recursive: true })
        writeFileSync(outPath, 'partial')
        options.signal?.addEventListener('abort', () => fail(new CancelledError('cancelled')))
      })
    let started: () => void = () => undefined
    const running = new Promise<void>((done) => (started = done))
    const door = createInterpolationDoor({ db, workspace, emit: () => started(), execute })
    const run = door.run({ planId, method: 'propagate', task: 'ui-2' })
    await running
    await expect(door.run({ planId, method: 'nearest', task: 'ui-2' })).rejects.toMatchObject({ name: 'InputError', problem: expect.stringMatching(/already running/) })
    expect(door.cancel('ui-2')).toEqual({ task: 'ui-2' })
    await expect(run).rejects.toMatchObject({ name: 'InputError', problem: expect.stringMatching(/cancelled/) })
    expect(outPath).not.toBe('')
    expect(existsSync(dirname(outPath))).toBe(false)
    expect(listRuns(db, { kind: 'interpolation' }).map((r) => r.status)).toEqual(['cancelled'])
  })
})
