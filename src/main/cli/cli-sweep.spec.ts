// `workbench sweep …`, `trial run` and `report` on a real sweep of tiny models on the bundled sample:
// the runner process is spawned and killed with SIGKILL mid-trial, then started again, and nothing is lost.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { SweepStatusSchema, TrialOutcomeSchema, type SweepStatus } from '../../shared/sweep'
import { cliRunner } from '../test-support/cli-harness'
import { repoRoot } from '../test-support/shared-data'
import { writeSyntheticDataset } from '../test-support/volumes'

let root: string
let dbPath: string
let common: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-sweep-'))
  dbPath = join(root, 'w.db')
  common = ['--db', dbPath, '--workspace', join(root, 'ws')]
})
const cli = cliRunner(() => common)

/** Tiny trials: a 1-level U-Net with 4 channels, 12 steps, evaluated on the 2 validation volumes. */
function writeGrid(name: string, seeds: number[]): string {
  const file = join(root, name)
  writeFileSync(
    file,
    JSON.stringify({
      grid: { densities: [0.4], volumeFractions: [0.5], methods: ['fixed'], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }], seeds },
      train: { steps: 12, batchSize: 2, sliceSize: [64, 64], evaluateOn: 'validation', threads: 1 },
    }),
  )
  return file
}

async function status(id: number): Promise<SweepStatus> {
  const r = await cli('sweep', 'status', String(id), '--json')
  expect(r.err).toBe('')
  return SweepStatusSchema.parse(JSON.parse(r.out))
}

/** Polls the store (read-only, beside the runner) until `ready` holds. */
async function waitFor(ready: (db: Database.Database) => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (existsSync(dbPath)) {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true })
      db.pragma('busy_timeout = 5000')
      try {
        if (ready(db)) return
      } catch {
        // the tables may not exist yet
      } finally {
        db.close()
      }
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('timed out waiting for the sweep')
}

describe('workbench sweep', () => {
  let sweepId: number

  it('create: queues the grid and a dense baseline per seed; bad input is refused with nothing stored', async () => {
    const created = await cli('sweep', 'create', '--dataset', 'sample', '--grid', writeGrid('grid.json', [0, 1]), '--json')
    expect(created.err).toBe('')
    expect(created.code).toBe(0)
    const c = JSON.parse(created.out) as { sweepId: number; trials: number }
    sweepId = c.sweepId
    expect(c.trials).toBe(4)
    const bad: [string[], number, RegExp][] = [
      [['sweep', 'create', '--dataset', 'sample', '--preset', 'paper-9d'], 1, /--preset paper-9d: is not a preset; known: paper-2d, paper-3d, paper-2d-hippo, paper-2d-small/],
      [['sweep', 'create', '--dataset', 'sample'], 2, /one of --preset or --grid/],
      [['sweep', 'create', '--dataset', 'sample', '--grid', join(root, 'missing.json')], 1, /missing\.json: cannot be read/],
      [['sweep', 'status', '99'], 1, /sweep 99: no sweep has this id/],
      [['sweep', 'run', '99'], 1, /sweep 99: no sweep has this id/],
      [['report', '--sweep', '99', '--out', join(root, 'r')], 1, /sweep 99: no sweep has this id/],
    ]
    const impossible = join(root, 'impossible.json')
    writeFileSync(impossible, JSON.stringify({ densities: [0.01], volumeFractions: [1], models: [{ name: 'm', model: {} }] }))
    bad.push([['sweep', 'create', '--dataset', 'sample', '--grid', impossible], 1, /grid cell ρ = 0.01, s = 1: .*below one slice per volume/])
    for (const [args, code, message] of bad) {
      const r = await cli(...args)
      expect(r.err, args.join(' ')).toMatch(message)
      expect(r.code, args.join(' ')).toBe(code)
    }
    const list = JSON.parse((await cli('sweep', 'list', '--json')).out) as unknown[]
    expect(list).toHaveLength(1)
  })

  it('a runner killed with SIGKILL mid-trial is resumed without loss: done trials untouched, the interrupted one re-run', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'src/main/cli/bin.mjs'), ...common, 'sweep', 'run', String(sweepId), '--workers', '1'], { stdio: 'ignore' })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    try {
      // One trial done and the next one training (its run recorded): kill the runner in the middle of it.
      await waitFor((db) => {
        const rows = db.prepare('SELECT status, run_id FROM sweep_trials WHERE sweep_id = ?').all(sweepId) as { status: string; run_id: number | null }[]
        return rows.some((r) => r.status === 'done') && rows.some((r) => r.status === 'running' && r.run_id !== null)
      }, 90_000)
      await new Promise((r) => setTimeout(r, 300))
    } finally {
      child.kill('SIGKILL')
    }
    expect(await exited).toBe('SIGKILL')

    // The store is intact and shows the state the runner died in.
    const raw = new Database(dbPath, { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()
    const before = await status(sweepId)
    const done = before.trials.filter((t) => t.status === 'done')
    expect(done.length).toBeGreaterThanOrEqual(1)
    // Opening the store (here: for `sweep status`) re-queues the trial whose runner died, saying so; none reads
    // 'running' with a dead runner's pid.
    expect(before.trials.filter((t) => t.status === 'running')).toEqual([])
    expect(before.trials.filter((t) => t.status === 'queued' && t.attempts === 1 && /^interrupted/.test(t.error ?? ''))).toHaveLength(1)

    const resumed = await cli('sweep', 'run', String(sweepId), '--workers', '1')
    expect(resumed.err).toBe('')
    expect(resumed.code).toBe(0)
    const after = await status(sweepId)
    expect(after.counts).toMatchObject({ total: 4, done: 4, failed: 0, queued: 0, running: 0 })
    for (const t of done) expect(after.trials.find((a) => a.id === t.id)).toEqual(t)
    const rerun = after.trials.filter((t) => t.attempts === 2)
    expect(rerun).toHaveLength(1)
    // The killed trial's first training run is marked failed as interrupted, not left running.
    const runs = JSON.parse((await cli('runs', '--json')).out) as { id: number; status: string; error: string | null }[]
    expect(runs.filter((r) => r.status === 'running')).toEqual([])
    expect(runs.filter((r) => r.status === 'failed').map((r) => r.error)).toEqual([expect.stringMatching(/^interrupted/)])
    for (const t of after.trials) {
      expect(t.backend).toBe('wasm')
      expect(t.metrics?.volumes).toHaveLength(2)
      expect(t.metrics?.meanIou).toBeGreaterThanOrEqual(0)
    }
  }, 240_000)

  // On the killed-and-resumed sweep above.
  it('sweep status prints a table; sweep retry with no failed trial says so; report writes the figures', async () => {
    const table = await cli('sweep', 'status', String(sweepId))
    expect(table.out).toMatch(/^sweep \d+ \(sample\): 4 done, 0 running, 0 queued, 0 failed, 0 cancelled of 4/)
    expect(table.out).toMatch(/tiny\|dense\|seed=0/)
    expect((await cli('sweep', 'retry', String(sweepId))).out).toMatch(/has no failed trial/)
    const out = join(root, 'report')
    const r = await cli('report', '--sweep', String(sweepId), '--out', out)
    expect(r.err).toBe('')
    // Two seeds cannot show a loss: the sentence says so instead of calling the cell's lower score lost.
    expect(r.out).toMatch(/Fig\. 1: mean performance drop against dense training, by budget: Against dense training \(Wilcoxon signed-rank on each seed's IoU change relative to its dense model, paired by seed, n = 2 per cell\), the one sparse cell: no difference detectable with n = 2/)
    for (const f of ['fig1-drop.svg', 'fig1-drop.png', 'fig2-budget.csv', 'tests.json', 'report.html', 'report.json', 'data.json']) expect(existsSync(join(out, f)), f).toBe(true)
    // The paper's findings, each with its verdict: this grid has one line of no equal budget, one method, no interpolation.
    expect(r.out).toMatch(/The paper: at an equal budget, annotating fewer slices per volume in more volumes trains a better model\. No two done cells of equal budget/)
    // The report again from its data.json alone, without the store: the same files, byte for byte.
    const again = join(root, 'report-again')
    const replay = await cli('--db', join(root, 'no-such-store.db'), 'report', '--data', join(out, 'data.json'), '--out', again)
    expect(replay.err).toBe('')
    expect(replay.out).toBe(r.out.replaceAll(out, again))
    for (const f of readdirSync(out)) expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true)
    expect(existsSync(join(root, 'no-such-store.db'))).toBe(false)
    const refusals: [string[], RegExp][] = [
      [['report', '--out', again], /report: give one of --sweep ID \(a stored sweep\) or --data FILE/],
      [['report', '--sweep', String(sweepId), '--data', join(out, 'data.json'), '--out', again], /give one of --sweep ID/],
      [['report', '--data', join(out, 'tests.json'), '--out', again], /tests\.json: .*expected object, received array/i],
      [['report', '--data', join(out, 'report.html'), '--out', again], /report\.html: is not valid JSON/],
      [['report', '--data', join(root, 'gone.json'), '--out', again], /gone\.json: does not exist/],
      [['report', '--sweep', String(sweepId), '--reference', join(out, 'data.json'), '--out', again], /data\.json: format: /],
    ]
    for (const [args, message] of refusals) {
      const bad = await cli(...args)
      expect(bad.err, args.join(' ')).toMatch(message)
      expect(bad.code, args.join(' ')).toBe(1)
    }
  })

  it('cancel, then resume runs the cancelled trials', async () => {
    const created = JSON.parse((await cli('sweep', 'create', '--dataset', 'sample', '--grid', writeGrid('grid2.json', [5]), '--json')).out) as { sweepId: number }
    const cancelled = await cli('sweep', 'cancel', String(created.sweepId))
    expect(cancelled.out).toMatch(/cancelled \(2 queued trials\)/)
    expect((await status(created.sweepId)).counts).toMatchObject({ cancelled: 2, queued: 0 })
    const run = await cli('sweep', 'run', String(created.sweepId), '--json')
    expect(JSON.parse(run.out)).toMatchObject({ ran: 0, stopped: 'cancelled' })
    const resumed = await cli('sweep', 'resume', String(created.sweepId), '--workers', '2')
    expect(resumed.code).toBe(0)
    expect((await status(created.sweepId)).counts).toMatchObject({ done: 2, cancelled: 0 })
  })

  it('export --slurm writes a job array; trial run on a store copy writes outcomes; collect merges them and refuses a foreign one', async () => {
    const created = JSON.parse((await cli('sweep', 'create', '--dataset', 'sample', '--grid', writeGrid('grid3.json', [7]), '--json')).out) as { sweepId: number }
    const dir = join(root, 'slurm')
    const exported = await cli('sweep', 'export', String(created.sweepId), '--slurm', dir, '--json')
    expect(exported.err).toBe('')
    const e = JSON.parse(exported.out) as { script: string; trials: number[] }
    expect(e.trials).toHaveLength(2)
    const script = readFileSync(e.script, 'utf8')
    expect(script).toMatch(/^#!\/bin\/bash/)
    expect(script).toContain('#SBATCH --array=0-1')
    expect(script).toContain('RESULT="$EXPORT_DIR/results/trial-$TRIAL.json"')
    expect(script).toMatch(/trial run "\$TRIAL" --threads "\$\{SLURM_CPUS_PER_TASK:-4\}" --out "\$RESULT"/)
    expect(readFileSync(join(dir, 'trials.txt'), 'utf8')).toBe(`${e.trials.join('\n')}\n`)
    const misplaced = await cli('sweep', 'retry', String(created.sweepId), '--time', '5')
    expect([misplaced.code, misplaced.err]).toEqual([2, expect.stringMatching(/sweep retry takes --time only with --slurm DIR/)])
    expect((await cli('sweep', 'export', String(created.sweepId), '--slurm', dir, '--mem', 'lots')).err).toMatch(/^workbench: error: --mem lots: is not a Slurm memory size/)

    // What a node does: its own copy of the snapshot, one trial, one result file.
    const node = join(root, 'node.db')
    copyFileSync(join(dir, 'store.db'), node)
    const onNode = cliRunner(() => ['--db', node, '--workspace', join(root, 'node-ws'), '--no-sample'])
    for (const trial of e.trials) {
      const r = await onNode('trial', 'run', String(trial), '--out', join(dir, 'results', `trial-${trial}.json`))
      expect(r.err).toBe('')
      expect(r.out).toMatch(/test IoU \d\.\d{3}/)
    }
    const outcome = TrialOutcomeSchema.parse(JSON.parse(readFileSync(join(dir, 'results', `trial-${e.trials[0]}.json`), 'utf8')))
    expect(outcome.status).toBe('done')

    // A file of another sweep is refused, and nothing is collected.
    writeFileSync(join(dir, 'results', 'zz-foreign.json'), JSON.stringify({ ...outcome, sweepUid: 'another-store' }))
    const refused = await cli('sweep', 'collect', String(created.sweepId), dir)
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/zz-foreign\.json: is a result of another sweep/)
    expect((await status(created.sweepId)).counts).toMatchObject({ done: 0, queued: 2 })

    writeFileSync(join(dir, 'results', 'zz-foreign.json'), JSON.stringify(outcome))
    const collected = await cli('sweep', 'collect', String(created.sweepId), dir, '--json')
    // The same outcome twice (the copy under another name) is stored once.
    expect(JSON.parse(collected.out)).toMatchObject({ collected: 2, skipped: 1, checkpoints: 2 })
    const after = await status(created.sweepId)
    expect(after.counts).toMatchObject({ done: 2, queued: 0 })
    const trial = after.trials.find((t) => t.id === outcome.trialId)
    expect(trial?.metrics?.meanIou).toBe(outcome.result?.evaluation?.meanIou)
    // The checkpoint the node wrote is in this workspace now, under the collected run's folder.
    const run = JSON.parse((await cli('runs', 'show', String(trial?.runId))).out) as { result: { checkpoint: string } }
    expect(run.result.checkpoint).toBe(join(root, 'ws', 'runs', String(trial?.runId), 'model.ckpt'))
    expect(existsSync(run.result.checkpoint)).toBe(true)
  })

  it('run, resume and retry exit 1 when any trial failed, after printing which', async () => {
    // A dataset whose files vanished after the sweep was made: every trial fails when it loads its volumes.
    const folder = writeSyntheticDataset(join(root, 'gone'), 8)
    expect((await cli('import', folder, '--name', 'gone')).code).toBe(0)
    const created = JSON.parse((await cli('sweep', 'create', '--dataset', 'gone', '--grid', writeGrid('grid4.json', [0]), '--json')).out) as { sweepId: number }
    rmSync(folder, { recursive: true, force: true })
    const id = String(created.sweepId)
    const run = await cli('sweep', 'run', id, '--workers', '1')
    expect(run.out).toMatch(/0 done, 0 running, 0 queued, 2 failed/)
    expect(run.out).toMatch(/^failed: trial \d+ /m)
    expect(run.code).toBe(1)
    const resumed = await cli('sweep', 'resume', id, '--json')
    expect(JSON.parse(resumed.out)).toMatchObject({ status: { counts: { failed: 2 } } })
    expect(resumed.code).toBe(1)
    const retried = await cli('sweep', 'retry', id, '--workers', '1')
    expect(retried.out).toMatch(/2 failed/)
    expect(retried.code).toBe(1)
  })
})
