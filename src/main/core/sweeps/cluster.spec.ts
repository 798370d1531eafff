// The Slurm export without a scheduler: the job script's lines and its task plumbing (run by bash as a node
// would: header, scratch, SIGTERM, a node that cannot start the workbench), what task logs say, re-exports into a
// used folder, and collect's handling of killed tasks and of a second collect. The same path on a real one-node
// Slurm cluster, with real training, is e2e/slurm-round-trip.e2e.ts.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase, type Db } from '../store/database'
import { listRuns } from '../store/runs-repo'
import { listTrials } from '../store/sweeps-repo'
import { checkpointFolder, exportSlurm, resultFile, runTrialToFile } from './cluster'
import { collectResults } from './cluster-collect'
import { cancelSweep, sweepStatus } from './control'
import { createSweep } from './create-sweep'
import { checkSlurmJobOptions, parseTaskHeader, slurmScript, type SlurmScriptInput } from './slurm-script'
import { latestTaskLogs, taskFailure, type TaskLog } from './task-logs'
import { fakeRunner, tinyTrain } from './test-helpers'

const scriptInput: SlurmScriptInput = { sweepId: 3, sweepUid: 'uid-3', dataset: 'sample', dir: '/exports/s3', scriptPath: '/exports/s3/sweep-3.sbatch', trials: [7, 8, 9], command: "'/opt/node' '/src/bin.mjs'", job: {} }

describe('the job script', () => {
  it('has one #SBATCH line per option the user set, the documented defaults otherwise, and passes the backend and CPUs to trial run', () => {
    const plain = slurmScript(scriptInput)
    expect(plain).toContain('#SBATCH --array=0-2\n')
    expect(plain).toContain('#SBATCH --time=04:00:00\n')
    expect(plain).toContain('#SBATCH --cpus-per-task=4\n')
    expect(plain).not.toMatch(/--mem|--partition|--gres|--backend/)
    expect(plain).toContain('TRIALS=(7 8 9)\n')
    expect(plain).toContain(`workbench() { '/opt/node' '/src/bin.mjs' "$@"; }`)
    expect(plain).toContain('trial run "$TRIAL" --threads "${SLURM_CPUS_PER_TASK:-4}" --out "$RESULT"')
    const full = slurmScript({ ...scriptInput, job: { time: '1-12:00:00', mem: '16G', cpusPerTask: 8, partition: 'gpu', gres: 'gpu:a100:2', maxRunning: 5, backend: 'webgpu' } })
    for (const line of ['--array=0-2%5', '--time=1-12:00:00', '--mem=16G', '--cpus-per-task=8', '--partition=gpu', '--gres=gpu:a100:2', '--output=/exports/s3/logs/%A_%a.out', '--error=/exports/s3/logs/%A_%a.err']) {
      expect(full).toContain(`#SBATCH ${line}\n`)
    }
    expect(full).toContain('--threads "${SLURM_CPUS_PER_TASK:-8}" --backend webgpu --out "$RESULT"')
  })

  it('refuses an option Slurm would refuse, naming the flag', () => {
    const cases: [Parameters<typeof checkSlurmJobOptions>[0], RegExp][] = [
      [{ time: '4 hours' }, /^--time 4 hours: is not a Slurm time limit/],
      [{ mem: 'lots' }, /^--mem lots: is not a Slurm memory size/],
      [{ partition: 'gpu\n#SBATCH --x' }, /^--partition gpu\n#SBATCH --x: is not a partition name/],
      [{ gres: 'gpu 2' }, /^--gres gpu 2: is not a Slurm generic resource list/],
      [{ maxRunning: 0 }, /^--max-running 0: is not a positive integer/],
    ]
    for (const [options, message] of cases) expect(() => checkSlurmJobOptions(options), JSON.stringify(options)).toThrow(message)
    for (const time of ['30', '10:00', '04:00:00', '2-0', '2-12:30', '2-12:30:00']) expect(() => checkSlurmJobOptions({ time })).not.toThrow()
  })
})

describe('a task, run by bash as a node runs it', () => {
  let root: string
  let dir: string
  let scratch: string
  let script: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wb-task-'))
    dir = join(root, 'export')
    scratch = join(root, 'scratch')
    for (const d of [join(dir, 'logs'), join(dir, 'results'), scratch]) mkdirSync(d, { recursive: true })
    writeFileSync(join(dir, 'store.db'), 'snapshot')
    script = join(dir, 'sweep-3.sbatch')
    writeFileSync(script, slurmScript({ ...scriptInput, dir, scriptPath: script, command: "'/nonexistent/node' '/nonexistent/bin.mjs'" }))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))
  const env = (task: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_JOB_ID: '77', TMPDIR: scratch, ...extra })
  const log = (task: number): TaskLog => {
    const path = join(dir, 'logs', `77_${task}.err`)
    const text = readFileSync(path, 'utf8')
    return { path, text, header: parseTaskHeader(text)!, modifiedAt: new Date().toISOString() }
  }

  it('writes its header, removes its scratch, and a node that cannot start the workbench is a failed task with the reason', () => {
    const r = spawnSync('bash', [script], { env: env(1), encoding: 'utf8' })
    writeFileSync(join(dir, 'logs', '77_1.err'), r.stderr)
    expect(r.status).toBe(127)
    expect(log(1).header).toMatchObject({ sweepId: 3, sweepUid: 'uid-3', trialId: 8, arrayTask: '77_1', timeLimit: '04:00:00' })
    expect(readdirSync(scratch)).toEqual([])
    expect(taskFailure(log(1))).toMatch(/^the task on \S+ \(array task 77_1\) ended with exit code 127 and wrote no result; its log ends: .*\/nonexistent\/node: No such file or directory; log: .*77_1\.err$/)
  })

  it('does not train a trial whose result in the folder says done', () => {
    writeFileSync(join(dir, 'results', 'trial-7.json'), JSON.stringify({ status: 'done' }))
    const marker = join(root, 'ran')
    const r = spawnSync('bash', [script], { env: env(0, { WORKBENCH: `touch ${marker}` }), encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/trial 7 is done already .*: not trained again/)
    expect(existsSync(marker)).toBe(false)
  })

  it('on SIGTERM (what Slurm sends at the time limit) removes its scratch and says how it ended', async () => {
    // A workbench that trains for a long time.
    const slow = join(root, 'slow-workbench')
    writeFileSync(slow, '#!/bin/bash\nsleep 60\n', { mode: 0o755 })
    const child = spawn('bash', [script], { env: env(2, { WORKBENCH: slow }), detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    let code: number | null | undefined
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r((code = c))))
    while (code === undefined && (readdirSync(scratch).length === 0 || !stderr.includes('workbench task:'))) await new Promise((r) => setTimeout(r, 20))
    // Let the workbench start, so that the signal finds the task inside its training, as Slurm's does.
    await new Promise((r) => setTimeout(r, 200))
    // Slurm signals every process of the task, as a signal to the process group does.
    process.kill(-(child.pid as number), 'SIGTERM')
    expect(await exited).toBe(143)
    expect(readdirSync(scratch)).toEqual([])
    writeFileSync(join(dir, 'logs', '77_2.err'), `${stderr}slurmstepd-n1: error: *** JOB 80 ON n1 CANCELLED AT 2026-12-07T19:24:07 DUE TO TIME LIMIT ***\n`)
    expect(log(2).text).toMatch(/workbench task ended: exit code 143\n/)
    expect(taskFailure(log(2))).toMatch(/^killed by Slurm at its time limit \(04:00:00\) on \S+ \(array task 77_2\) before the trial finished; log: /)
  })
})

describe('task logs', () => {
  const header = 'workbench task: sweep 3 (uid-3) trial 8, array task 12_1 on n1, time limit 00:30:00, started 2026-12-07T10:00:00Z\n'
  const of = (text: string): TaskLog => ({ path: '/x/logs/12_1.err', text, header: parseTaskHeader(text)!, modifiedAt: '2026-12-07T10:05:00.000Z' })

  it('say why a task that wrote no result ended, or nothing while it has not ended', () => {
    expect(taskFailure(of(header))).toBeNull()
    expect(taskFailure(of(`${header}slurmstepd: error: *** JOB 12 ON n1 CANCELLED AT 2026-12-07T10:04:00 ***\n`))).toMatch(/^cancelled on the cluster \(scancel\) on n1 \(array task 12_1\) at 2026-12-07T10:04:00 before the trial finished/)
    expect(taskFailure(of(`${header}slurmstepd: error: *** JOB 12 ON n1 CANCELLED AT 2026-12-07T10:04:00 DUE TO NODE FAILURE ***\n`))).toMatch(/^stopped by Slurm on n1 \(array task 12_1\) at 2026-12-07T10:04:00: node failure, before/)
    expect(taskFailure(of(`${header}slurmstepd: error: Detected 1 oom_kill event in StepId=12.batch.\nworkbench task ended: exit code 137\n`))).toMatch(/^killed for running out of memory on n1 \(array task 12_1\) \(raise --mem\)/)
  })

  it('keep the newest attempt of each trial, and refuse a log of another sweep', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-logs-'))
    mkdirSync(join(dir, 'logs'))
    writeFileSync(join(dir, 'logs', '12_1.err'), `${header}workbench task ended: exit code 1\n`)
    writeFileSync(join(dir, 'logs', '15_0.err'), header.replace('array task 12_1', 'array task 15_0').replace('10:00:00Z', '11:00:00Z'))
    writeFileSync(join(dir, 'logs', '15_0.out'), 'stdout is not read')
    expect(latestTaskLogs(dir, { id: 3, uid: 'uid-3' }).get(8)?.header.arrayTask).toBe('15_0')
    writeFileSync(join(dir, 'logs', '16_0.err'), header.replace('(uid-3)', '(uid-of-another-store)'))
    expect(() => latestTaskLogs(dir, { id: 3, uid: 'uid-3' })).toThrow(/16_0\.err: is the log of a task of another sweep \(sweep 3 of another store\), not of sweep 3/)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('export and collect', () => {
  let db: Db
  let workspace: string
  let sweepId: number
  let dir: string
  beforeEach(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'wb-cluster-'))
    dir = join(workspace, 'export')
    db = openDatabase(join(workspace, 'w.db'))
    importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
    const grid = { densities: [0.4], volumeFractions: [0.5], methods: ['fixed'], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }], seeds: [0, 1] }
    sweepId = (await createSweep(db, { dataset: 'sample', definition: { grid, train: tinyTrain } })).sweepId
  })
  afterEach(() => {
    db.close()
    rmSync(workspace, { recursive: true, force: true })
  })
  const options = { command: 'workbench' }
  const trialIds = (): number[] => listTrials(db, sweepId).map((t) => t.id)

  it('exports cancelled trials too (resume would run them here; so does a cluster)', () => {
    expect(cancelSweep(db, sweepId)).toBe(4)
    expect(exportSlurm(db, sweepId, dir, options).trials).toEqual(trialIds())
    expect(() => exportSlurm(db, sweepId, dir, { ...options, statuses: ['failed'] })).toThrow(`sweep ${sweepId}: has no failed trial to export`)
  })

  it('a re-export leaves out the trials done in the folder and sets a failed result aside; a folder of another sweep is refused before anything is written', async () => {
    const [a, b, c, d] = trialIds() as [number, number, number, number]
    const first = exportSlurm(db, sweepId, dir, options)
    expect(first.trials).toEqual([a, b, c, d])
    const { runner } = fakeRunner({ fail: (job) => job.config.seed === 1 })
    const ctx = { db, workspace, runner }
    // Seed 0's two trials are done, seed 1's failed: what the tasks of the first array left.
    for (const id of [a, b, c, d]) await runTrialToFile(ctx, id, resultFile(dir, id))
    const again = exportSlurm(db, sweepId, dir, options)
    expect(again).toMatchObject({ trials: [c, d], doneInFolder: [a, b] })
    expect(readFileSync(again.script, 'utf8')).toContain(`TRIALS=(${c} ${d})\n`)
    expect(existsSync(resultFile(dir, c))).toBe(false)
    expect(readdirSync(join(dir, 'results', 'earlier')).sort()).toEqual([expect.stringMatching(new RegExp(`-trial-${c}\\.json$`)), expect.stringMatching(new RegExp(`-trial-${d}\\.json$`))])

    const foreign = JSON.parse(readFileSync(resultFile(dir, a), 'utf8')) as Record<string, unknown>
    writeFileSync(resultFile(dir, c), JSON.stringify({ ...foreign, sweepUid: 'another-store', trialId: c }))
    const script = readFileSync(again.script, 'utf8')
    expect(() => exportSlurm(db, sweepId, dir, options)).toThrow(new RegExp(`trial-${c}\\.json: is a result of another sweep`))
    expect(readFileSync(again.script, 'utf8')).toBe(script)
    expect(() => exportSlurm(db, sweepId, dir, { ...options, time: 'soon' })).toThrow(/^--time soon: is not a Slurm time limit/)
  })

  it('collect: a killed task is a failed trial that says why, a running one is left alone, a second collect stores nothing twice, checkpoints come home', async () => {
    const [a, b, c] = trialIds() as [number, number, number, number]
    const exported = exportSlurm(db, sweepId, dir, options)
    const ctx = { db, workspace, runner: fakeRunner().runner }
    const outcome = await runTrialToFile(ctx, a, resultFile(dir, a))
    // The fake runner writes no checkpoint: put one where training would have, as the node's trial run copies it.
    mkdirSync(checkpointFolder(resultFile(dir, a)))
    writeFileSync(join(checkpointFolder(resultFile(dir, a)), 'model.ckpt'), 'weights')
    const head = (trial: number, task: number): string => `workbench task: sweep ${sweepId} (${sweepStatus(db, sweepId).sweep.uid}) trial ${trial}, array task 40_${task} on n1, time limit 00:01:00, started 2026-12-07T10:00:0${task}Z\n`
    writeFileSync(join(dir, 'logs', '40_1.err'), `${head(b, 1)}slurmstepd: error: *** JOB 41 ON n1 CANCELLED AT 2026-12-07T10:01:30 DUE TO TIME LIMIT ***\nworkbench task ended: exit code 143\n`)
    writeFileSync(join(dir, 'logs', '40_2.err'), head(c, 2))
    utimesSync(join(dir, 'logs', '40_1.err'), new Date('2026-12-07T10:01:31Z'), new Date('2026-12-07T10:01:31Z'))
    expect(exported.trials).toContain(b)

    const summary = collectResults({ db, workspace }, sweepId, dir)
    expect(summary).toEqual({ collected: 1, failed: 1, skipped: 0, unfinished: [c], checkpoints: 1 })
    const trials = new Map(listTrials(db, sweepId).map((t) => [t.id, t]))
    expect(trials.get(a)).toMatchObject({ status: 'done', startedAt: outcome.startedAt })
    expect(trials.get(b)).toMatchObject({ status: 'failed', startedAt: '2026-12-07T10:00:01Z', finishedAt: '2026-12-07T10:01:31.000Z' })
    expect(trials.get(b)?.error).toMatch(/^killed by Slurm at its time limit \(00:01:00\) on n1 \(array task 40_1\) before the trial finished; log: .*40_1\.err$/)
    expect(trials.get(c)?.status).toBe('queued')
    const runA = listRuns(db).find((r) => r.id === trials.get(a)?.runId)
    const checkpoint = (runA?.result as { checkpoint: string }).checkpoint
    expect(checkpoint).toBe(join(workspace, 'runs', String(runA?.id), 'model.ckpt'))
    expect(readFileSync(checkpoint, 'utf8')).toBe('weights')

    const runs = listRuns(db).length
    expect(collectResults({ db, workspace }, sweepId, dir)).toEqual({ collected: 0, failed: 0, skipped: 2, unfinished: [c], checkpoints: 0 })
    expect(listRuns(db)).toHaveLength(runs)
  })

  it('bad data on the node is a failed outcome with the error, as the local runner records it', async () => {
    const [a] = trialIds() as [number]
    const runner = (): Promise<never> => Promise.reject(new InputError('/data/img_3.nii.gz', 'cannot be read (ENOENT)'))
    const outcome = await runTrialToFile({ db, workspace, runner }, a, join(workspace, 'a.json'))
    expect(outcome).toMatchObject({ status: 'failed', error: '/data/img_3.nii.gz: cannot be read (ENOENT)' })
    expect(JSON.parse(readFileSync(join(workspace, 'a.json'), 'utf8'))).toMatchObject({ status: 'failed', trialId: a })
    await expect(runTrialToFile({ db, workspace, runner }, 999, join(workspace, 'b.json'))).rejects.toThrow(/trial 999: no trial has this id/)
  })
})
