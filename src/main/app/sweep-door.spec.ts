// The sweep door over a real store on the bundled sample, with the core's fake training runner (known scores,
// no training): a run in the background with its events, cancel then resume, retry of failed trials, figures.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SweepProgress } from '../../shared/sweep'
import { importDataset } from '../core/datasets/import'
import { openDatabase, type Db } from '../core/store/database'
import { fakeRunner, tinyTrain } from '../core/sweeps/test-helpers'
import { sampleDataDir } from '../test-support/shared-data'
import { createSweepDoor, throttleSweepProgress } from './sweep-door'

const counts = { total: 2, queued: 1, running: 1, done: 0, failed: 0, cancelled: 0 }
const progress = (done: number, step: number): SweepProgress => ({
  sweepId: 1, counts: { ...counts, done, queued: 1 - done }, finished: done, running: [{ trialId: 1, label: 'x', step, steps: 9 }], etaSeconds: null,
})

describe('throttleSweepProgress', () => {
  it('passes count changes at once and step moves once per interval', () => {
    let clock = 0
    const seen: string[] = []
    const emit = throttleSweepProgress((p) => seen.push(`${p.finished}:${p.running[0]?.step}`), 100, () => clock)
    emit(progress(0, 1))
    clock = 50
    emit(progress(0, 2)) // same counts, 50 ms later: dropped
    clock = 60
    emit(progress(1, 2)) // a trial finished: passes
    clock = 170
    emit(progress(1, 3)) // 110 ms later: passes
    expect(seen).toEqual(['0:1', '1:2', '1:3'])
  })
})

let db: Db
let workspace: string
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-sweep-door-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
})
afterEach(() => db.close())

const grid = {
  densities: [0.2, 0.4],
  volumeFractions: [0.5],
  methods: ['fixed', 'random'],
  interpolation: ['none'],
  models: [{ name: 'tiny2d', model: { kind: 'unet2d', depth: 1, baseChannels: 4 } }],
  seeds: [0],
}

describe('createSweepDoor', () => {
  it('runs a sweep in the background, pushes progress and a last event, then reports figures with SVG, and the report as one page', async () => {
    const events: SweepProgress[] = []
    const door = createSweepDoor({ db, workspace, emit: (p) => events.push(p), runner: fakeRunner({ delayMs: 5 }).runner, workers: 1, minIntervalMs: 0 })
    // A bare grid is accepted, as the CLI's --grid file is.
    const created = await door.create({ dataset: 'sample', definition: grid })
    expect(created.trials).toBe(5) // 2 densities × 2 methods + one dense baseline
    const started = door.run({ sweepId: created.sweepId })
    expect(started).toEqual({ sweepId: created.sweepId, requeued: 0 })
    expect(door.status(created.sweepId).active).toBe(true)
    expect(() => door.run({ sweepId: created.sweepId })).toThrow(/is running already/)
    await door.settled(created.sweepId)
    const status = door.status(created.sweepId)
    expect(status.active).toBe(false)
    expect(status.lastError).toBeNull()
    expect(status.trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done', 'done'])
    const last = events.at(-1) as SweepProgress
    expect(last).toMatchObject({ sweepId: created.sweepId, finished: 5, running: [], etaSeconds: null })
    expect(events.some((e) => e.running.length > 0)).toBe(true)
    expect(door.list()[0]).toMatchObject({ sweep: { id: created.sweepId }, counts: { done: 5 }, active: false })

    const report = await door.figures({ sweepId: created.sweepId })
    expect(report.models).toEqual(['tiny2d'])
    expect(report.methods).toEqual(['fixed', 'random'])
    const budget = report.figures.find((f) => f.id === 'fig2-budget')
    expect(budget?.svg).toMatch(/^<svg[\s\S]*<\/svg>$/)
    expect(budget?.rows.length).toBe(2) // one row per (ρ, s) cell, methods averaged
    // Fig. 5 compares the methods with a paired test; filtered to one method there is nothing to compare.
    const methods = report.figures.find((f) => f.id === 'fig5-methods')
    expect(methods?.rows.map((r) => r.method).sort()).toEqual(['fixed', 'random'])
    const fixedOnly = await door.figures({ sweepId: created.sweepId, methods: ['fixed'] })
    expect(fixedOnly.figures.find((f) => f.id === 'fig5-methods')?.rows.every((r) => r.method !== 'random')).toBe(true)
    // The same report as one page to save: the filter named in its title, its sentences and findings those of the filtered figures.
    const page = await door.html({ sweepId: created.sweepId, methods: ['fixed'] })
    expect(page.fileName).toBe(`sweep-${created.sweepId}-report.html`)
    expect(page.html).toContain(`<title>Sparse annotation sweep ${created.sweepId}: sample (methods fixed)</title>`)
    for (const f of fixedOnly.figures) expect(page.html).toContain(f.sentence.replace(/&/g, '&amp;'))
    for (const f of fixedOnly.findings) expect(page.html).toContain(f.sentence.replace(/&/g, '&amp;'))
    expect(page.html).not.toMatch(/<script|<link|<img|src=/)
  })

  it('cancels a running sweep, resumes it, and retries failed trials alone', async () => {
    const door = createSweepDoor({ db, workspace, emit: () => undefined, runner: fakeRunner({ delayMs: 100 }).runner, workers: 1, pollMs: 20 })
    const { sweepId } = await door.create({ dataset: 'sample', definition: { grid, train: tinyTrain } })
    door.run({ sweepId })
    await expect.poll(() => door.status(sweepId).counts.running, { timeout: 5_000 }).toBe(1)
    expect(door.cancel(sweepId).cancelled).toBe(4)
    await door.settled(sweepId)
    expect(door.status(sweepId).counts).toMatchObject({ cancelled: 5, done: 0, running: 0 })
    expect(() => door.retry(sweepId)).toThrow(/is cancelled/)

    // Resuming re-queues the cancelled trials, the interrupted one included, and runs them to the end.
    expect(door.run({ sweepId }).requeued).toBe(5)
    await door.settled(sweepId)
    expect(door.status(sweepId).counts.done).toBe(5)
    expect(door.retry(sweepId).retried).toBe(0)
  })

  it('records failures with their text and re-runs only them on retry', async () => {
    let failing = true
    const runner = fakeRunner({ fail: () => failing }).runner
    const door = createSweepDoor({ db, workspace, emit: () => undefined, runner, workers: 1 })
    const { sweepId } = await door.create({ dataset: 'sample', definition: grid })
    door.run({ sweepId })
    await door.settled(sweepId)
    const failed = door.status(sweepId).trials
    expect(failed.map((t) => t.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed'])
    expect(failed[0]?.error).toMatch(/fake failure of run \d+/)
    failing = false
    expect(door.retry(sweepId)).toEqual({ sweepId, retried: 5 })
    await door.settled(sweepId)
    const retried = door.status(sweepId).trials
    expect(retried.map((t) => [t.status, t.attempts])).toEqual(Array.from({ length: 5 }, () => ['done', 2]))
  })

  it('refuses a request with both or neither of a preset and a definition, and an unknown preset', async () => {
    const door = createSweepDoor({ db, workspace, emit: () => undefined })
    await expect(door.create({ dataset: 'sample' })).rejects.toThrow(/one of a preset name or a definition/)
    await expect(door.create({ dataset: 'sample', preset: 'paper-2d', definition: grid })).rejects.toThrow(/one of a preset/)
    await expect(door.create({ dataset: 'sample', preset: 'nope' })).rejects.toThrow(/is not a preset/)
    expect(door.presets().map((p) => p.name)).toEqual(expect.arrayContaining(['paper-2d', 'paper-3d', 'paper-2d-small']))
    expect(door.presets().find((p) => p.name === 'paper-2d')?.trials).toBe(5 * 4 * 3 * 2 * 2 * 3 + 2 * 3)
  })
})
