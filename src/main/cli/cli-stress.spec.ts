// Issue 14: several `workbench` processes on one store at once — two imports of one name with --shape, plans, a
// sweep created, cancelled and resumed (its tiny trials trained), trainings, removals. The store must end intact
// (PRAGMA integrity_check, foreign keys), every path a row holds must exist, and no process may meet SQLITE_BUSY.
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { moduleUrl, runRace, type ScriptOutcome } from '../core/store/race-harness'
import { sampleDataDir } from '../test-support/shared-data'
import { main } from './main'
import type { CliIo } from './output'

/**
 * One process: runs its verbs in order through main() (as many `workbench` calls in a row would), with
 * "$name" in an argument replaced by a value an earlier --json answer gave (sweepId, runId, planId).
 * Prints each verb's exit code and output as one JSON line.
 */
const script = `
  import { barrier } from '${moduleUrl(resolve('src/main/core/store/race-harness.ts'))}'
  import { main } from '${moduleUrl(resolve('src/main/cli/main.ts'))}'
  const [common, steps] = JSON.parse(process.argv[2])
  const vars = {}
  await barrier()
  const results = []
  for (const step of steps) {
    const args = step.map((a) => a.replace(/^\\$(\\w+)$/, (_, k) => String(vars[k])))
    let out = ''
    let err = ''
    const io = { out: (t) => (out += t + '\\n'), err: (t) => (err += t + '\\n'), errInline: () => {}, interactive: false }
    const code = await main([...common, ...args], io)
    try {
      const value = JSON.parse(out)
      for (const k of ['sweepId', 'runId', 'planId']) if (value && typeof value[k] === 'number') vars[k] = value[k]
    } catch {}
    results.push({ args, code, out, err })
  }
  console.log(JSON.stringify(results))
`

interface StepResult {
  args: string[]
  code: number
  out: string
  err: string
}

const tiny = ['--depth', '1', '--base', '4', '--batch', '2', '--steps', '2', '--threads', '1', '--json']

describe('several workbench processes on one store', () => {
  it('end with an intact store, every file a row names on disk, and no SQLITE_BUSY', async () => {
    const t0 = Date.now()
    const root = mkdtempSync(join(tmpdir(), 'wb-stress-'))
    const dbPath = join(root, 'w.db')
    const workspace = join(root, 'ws')
    const common = ['--db', dbPath, '--workspace', workspace]
    const silent: CliIo = { out: () => undefined, err: () => undefined, errInline: () => undefined, interactive: false }
    // The store and the sample exist first: the race is on the work, not on creating the store (tested apart).
    expect(await main([...common, 'datasets'], silent)).toBe(0)
    const grid = join(root, 'grid.json')
    writeFileSync(
      grid,
      JSON.stringify({
        grid: { densities: [0.3], volumeFractions: [0.5], methods: ['fixed'], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }], seeds: [0] },
        train: { steps: 2, batchSize: 2, sliceSize: [32, 32], evaluateOn: 'validation', threads: 1 },
      }),
    )
    const twin = ['import', sampleDataDir, '--name', 'twin', '--shape', '16,16,8', '--spacing', '2,2,2', '--json']
    const plan = (dataset: string, seed: number): string[] => ['plan', '--dataset', dataset, '--density', '0.3', '--volumes', '0.5', '--method', 'random', '--seed', String(seed), '--json']
    const processes: string[][][] = [
      // Importer: races the next one on a name, imports another, plans on it, removes it.
      [twin, ['import', sampleDataDir, '--name', 'solo', '--shape', '16,16,8', '--json'], plan('solo', 1), ['interpolate', '--plan', '$planId', '--method', 'nearest', '--workers', '1', '--json'], ['remove', 'solo', '--yes', '--json']],
      // Second importer of the same name, then plans on the sample.
      [twin, plan('sample', 2), plan('sample', 3), ['plans', '--json']],
      // A sweep: created, cancelled, resumed (its trials train), its status read.
      [['sweep', 'create', '--dataset', 'sample', '--grid', grid, '--json'], ['sweep', 'cancel', '$sweepId', '--json'], ['sweep', 'resume', '$sweepId', '--workers', '1', '--json'], ['sweep', 'status', '$sweepId', '--json']],
      // Trainings, the history, a run removed.
      [['train', '--dataset', 'sample', ...tiny, '--seed', '1'], ['runs', '--json'], ['train', '--dataset', 'sample', ...tiny, '--seed', '2'], ['runs', 'remove', '$runId', '--yes', '--json'], ['sweep', 'list', '--json']],
    ]
    const outcomes: ScriptOutcome[] = await runRace(script, processes.length, (i) => [JSON.stringify([common, processes[i]])], 150_000)
    const results = outcomes.map((o, i) => {
      expect(o.code, `process ${i}: ${o.stderr}`).toBe(0)
      return JSON.parse(o.stdout) as StepResult[]
    })
    const everything = outcomes.map((o) => o.stdout + o.stderr).join('\n')
    expect(everything).not.toMatch(/SQLITE_BUSY|database is locked/i)

    // One import of the twin name won; the other was told the name is taken. Every other verb succeeded.
    const twins = [results[0]?.[0], results[1]?.[0]]
    expect(twins.map((r) => r?.code).sort()).toEqual([0, 1])
    expect(twins.find((r) => r?.code === 1)?.err).toMatch(/^workbench: error: twin: a dataset with this name already exists; choose another --name\n$/)
    for (const steps of results) for (const r of steps.filter((s) => s !== twins[0] && s !== twins[1])) expect(r.code, `${r.args.join(' ')}: ${r.err}`).toBe(0)
    const sweep = JSON.parse(results[2]?.[3]?.out ?? '{}') as { counts: { done: number; total: number } }
    expect(sweep.counts.done).toBe(sweep.counts.total)

    const db = new Database(dbPath, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])
      const paths = [
        ...(db.prepare('SELECT image_path AS p FROM volumes UNION ALL SELECT label_path FROM volumes').all() as { p: string }[]),
        ...(db.prepare('SELECT mask_path AS p FROM plan_items WHERE mask_path IS NOT NULL UNION ALL SELECT mask_path FROM interpolation_volumes').all() as { p: string }[]),
        ...(db.prepare(`SELECT json_extract(result_json, '$.checkpoint') AS p FROM runs WHERE kind = 'training' AND status = 'done'`).all() as { p: string }[]),
      ].map((r) => r.p)
      expect(paths.length).toBeGreaterThan(40)
      expect(paths.filter((p) => !existsSync(p))).toEqual([])
      const names = (db.prepare('SELECT name FROM datasets ORDER BY name').all() as { name: string }[]).map((r) => r.name)
      expect(names).toEqual(['sample', 'twin'])
    } finally {
      db.close()
    }
    // Nothing staged is left, and the removed dataset's folder is gone.
    expect(readdirSync(join(workspace, 'staging'))).toEqual([])
    expect(existsSync(join(workspace, 'datasets', 'solo'))).toBe(false)
    expect(Date.now() - t0).toBeLessThan(120_000)
  }, 180_000)
})
