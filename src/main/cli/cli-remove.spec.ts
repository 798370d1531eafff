// Issue 14 item 10: `workbench remove` says what goes and asks (--yes skips, --dry-run only says, a script without
// --yes is refused); `plan remove`, `runs remove` and `sweep remove` do the same for one plan, run or sweep.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { RemovalReportSchema } from '../../shared/removal'
import { RunRecordSchema } from '../../shared/run'
import { cliRunner } from '../test-support/cli-harness'
import { sampleDataDir } from '../test-support/shared-data'
import { confirmAndRemove } from './commands/remove'
import type { CliIo } from './output'

let root: string
let common: string[]
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-remove-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws'), '--no-sample']
})
const cli = cliRunner(() => common)

/** Every row of every table (a refusal must leave it as it was). */
function snapshot(): string {
  const db = new Database(join(root, 'w.db'), { readonly: true })
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name)
    return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t}`).all()]))
  } finally {
    db.close()
  }
}

/** A dataset with files in the workspace, a plan, an interpolation and a sweep of two queued trials (one cell, its dense baseline). */
async function populated(): Promise<{ planId: number; interpolation: number; sweepId: number }> {
  expect((await cli('import', sampleDataDir, '--name', 'ds', '--shape', '32,40,24')).code).toBe(0)
  const plan = JSON.parse((await cli('plan', '--dataset', 'ds', '--density', '0.3', '--volumes', '0.5', '--method', 'fixed', '--json')).out) as { planId: number }
  const interpolated = JSON.parse((await cli('interpolate', '--plan', String(plan.planId), '--method', 'nearest', '--workers', '1', '--json')).out) as { runId: number }
  const grid = join(root, 'grid.json')
  writeFileSync(grid, JSON.stringify({ grid: { densities: [0.3], volumeFractions: [0.5], methods: ['fixed'], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }], seeds: [0] }, train: { steps: 2 } }))
  const sweep = JSON.parse((await cli('sweep', 'create', '--dataset', 'ds', '--grid', grid, '--json')).out) as { sweepId: number; trials: number }
  expect(sweep.trials).toBe(2)
  return { planId: plan.planId, interpolation: interpolated.runId, sweepId: sweep.sweepId }
}

describe('workbench remove <dataset>', () => {
  it('refuses without --yes when nobody can be asked, previews with --dry-run, then removes what it said', async () => {
    const { planId, interpolation, sweepId } = await populated()
    const trained = await cli('train', '--dataset', 'ds', '--depth', '1', '--base', '4', '--batch', '2', '--steps', '2', '--json')
    expect(trained.code).toBe(0)
    const runId = (JSON.parse(trained.out) as { runId: number }).runId
    const before = snapshot()

    const refused = await cli('remove', 'ds')
    expect(refused.code).toBe(2)
    expect(refused.out).toBe('')
    expect(refused.err).toBe('workbench: dataset ds: removing asks for confirmation and the input is not a terminal; nothing was removed — add --yes, or --dry-run to see what would go; see `workbench remove --help`\n')
    expect(snapshot()).toBe(before)

    const dry = await cli('remove', 'ds', '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.out).toMatch(new RegExp(`^dataset ds: will remove 20 volume records, 1 plan \\(${planId}\\), 1 sweep \\(${sweepId}\\) with 2 trials, 1 interpolation run \\(${interpolation}\\)\n`))
    expect(dry.out).toMatch(/ {2}workspace files: \d+ files, [\d.]+ [KM]B in datasets\/ds\/import-[^,]+, interpolations\/\d+\n/)
    expect(dry.out).toMatch(new RegExp(`  kept: 1 training run \\(${runId}\\) with their checkpoints`))
    expect(snapshot()).toBe(before)

    const removed = await cli('remove', 'ds', '--yes', '--json')
    expect(removed.err).toBe('')
    const report = RemovalReportSchema.parse(JSON.parse(removed.out))
    expect(report).toMatchObject({ target: 'dataset ds', done: true, volumes: 20, plans: [planId], sweeps: [sweepId], keptRuns: [runId] })
    for (const folder of report.folders) expect(existsSync(join(root, 'ws', folder.path))).toBe(false)
    expect(existsSync(join(root, 'ws', 'datasets', 'ds'))).toBe(false)

    // What it said went is gone; the training run stays, its dataset shown as removed, its checkpoint kept.
    expect((await cli('sweep', 'status', String(sweepId))).err).toMatch(new RegExp(`sweep ${sweepId}: no sweep has this id`))
    expect((await cli('datasets')).out).toMatch(/^no datasets/)
    const runs = (await cli('runs')).out
    expect(runs).toMatch(new RegExp(`${runId}\\s+training\\s+done\\s+ds \\(removed\\)`))
    expect(runs).not.toMatch(/interpolation/)
    const run = RunRecordSchema.parse(JSON.parse((await cli('runs', 'show', String(runId))).out))
    expect(existsSync(String(run.result?.checkpoint))).toBe(true)
    expect((await cli('remove', 'ds', '--yes')).err).toMatch(/ds: no dataset has this name/)
  }, 120_000)

  it('asks a person: no removes nothing, yes removes', async () => {
    let out = ''
    let err = ''
    const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), errInline: () => undefined, interactive: true }
    const removed: boolean[] = []
    const remove = async (dryRun: boolean) => {
      if (!dryRun) removed.push(true)
      return RemovalReportSchema.parse({ target: 'dataset x', done: !dryRun, volumes: 2, plans: [], sweeps: [], trials: 0, runs: [], keptRuns: [], folders: [], bytes: 0 })
    }
    const questions: string[] = []
    await confirmAndRemove(io, { sample: true }, {}, remove, async (q) => (questions.push(q), false))
    expect(removed).toEqual([])
    expect(err).toBe('dataset x: will remove 2 volume records\n  workspace files: none\nnothing was removed\n')
    expect(out).toBe('')
    await confirmAndRemove(io, { sample: true }, {}, remove, async (q) => (questions.push(q), true))
    expect(removed).toEqual([true])
    expect(out).toBe('dataset x: removed 2 volume records\n  workspace files: none\n')
    expect(questions).toEqual(['Remove? [y/N] ', 'Remove? [y/N] '])
  })
})

describe('plan remove, runs remove, sweep remove', () => {
  it('each removes its own rows and files and says so; what a sweep uses is refused', async () => {
    const { planId, interpolation, sweepId } = await populated()
    const usedBySweep = await cli('plan', 'remove', String(planId), '--yes')
    expect(usedBySweep.code).toBe(1)
    expect(usedBySweep.err).toMatch(new RegExp(`plan ${planId}: sweep ${sweepId} uses it; remove the sweep first \\(workbench sweep remove ${sweepId}\\)`))

    const sweep = await cli('sweep', 'remove', String(sweepId), '--yes')
    expect(sweep.err).toBe('')
    expect(sweep.out).toBe(`sweep ${sweepId}: removed 1 sweep (${sweepId}) with 2 trials\n  workspace files: none\n`)

    const run = await cli('runs', 'remove', String(interpolation), '--yes')
    expect(run.out).toMatch(new RegExp(`^run ${interpolation}: removed 1 interpolation run \\(${interpolation}\\)\n  workspace files: \\d+ files, .* in interpolations/${interpolation}\n$`))
    expect(existsSync(join(root, 'ws', 'interpolations', String(interpolation)))).toBe(false)

    const plan = await cli('plan', 'remove', String(planId), '--yes')
    expect(plan.out).toMatch(new RegExp(`^plan ${planId}: removed 1 plan \\(${planId}\\)\n  workspace files: none\n$`))
    expect((await cli('plans')).out).toMatch(/^no plans/)
    expect((await cli('runs', 'remove', '999', '--yes')).err).toMatch(/run 999: no run has this id/)
  }, 120_000)
})
