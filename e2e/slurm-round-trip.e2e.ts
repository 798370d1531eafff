// The cluster path for real: `sweep export --slurm` → sbatch on a one-node Slurm cluster started by the test
// (src/main/test-support/slurm-cluster.ts) → squeue until the array ends → `sweep collect`. Checked: every trial
// comes back as a local run would have made it (the same loss curve, the same kind of metrics), checkpoints come
// home, the report builds; a task whose data file is missing on the node comes back failed with the error, and
// `sweep retry --slurm` exports it alone; a task killed at its time limit comes back failed saying so, a task
// cancelled before it started leaves its trial queued; collecting twice stores nothing twice; a folder of another
// sweep is refused whole. The round trip is timed (printed for the README).
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SweepStatusSchema, type SweepStatus } from '../src/shared/sweep'
import { cliRunner } from '../src/main/test-support/cli-harness'
import { sampleDataDir } from '../src/main/test-support/shared-data'
import { processesOf, SlurmInstallError, slurmUnavailable, startTestCluster, type TestCluster } from '../src/main/test-support/slurm-cluster'
import { repoRoot } from './support'

const unavailable = slurmUnavailable()
// In CI the machine is root with apt: a missing prerequisite there is a broken CI, not a reason to skip.
if (unavailable && process.env.CI) throw new Error(`the Slurm round trip must run in CI: ${unavailable}`)

interface Exported {
  dir: string
  script: string
  trials: number[]
  doneInFolder: number[]
}

interface VolumeInfo {
  id: number
  imagePath: string
  subset: string
}

describe.skipIf(unavailable !== null)(`sweep export --slurm on a one-node Slurm cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: TestCluster | undefined
  /** Why Slurm could not be installed here (no network, say): the test skips with it, except in CI. */
  let notInstalled: string | undefined
  let root: string
  let scratch: string
  const cli = cliRunner(() => ['--db', join(root, 'home.db'), '--workspace', join(root, 'ws'), '--no-sample'])

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wb-slurm-trip-'))
    // What the tasks see as node-local scratch ($TMPDIR): it must be empty again when they are done.
    scratch = join(root, 'node-scratch')
    mkdirSync(scratch)
    try {
      cluster = await startTestCluster()
    } catch (err) {
      if (!(err instanceof SlurmInstallError) || process.env.CI) throw err
      notInstalled = err.message
    }
  }, 420_000)

  afterAll(async () => {
    await cluster?.stop()
    rmSync(root, { recursive: true, force: true })
  }, 120_000)

  async function ok(...args: string[]): Promise<string> {
    const r = await cli(...args)
    expect(r.err, args.join(' ')).toBe('')
    expect(r.code, args.join(' ')).toBe(0)
    return r.out
  }
  /** Tiny trials: a 1-level U-Net with 4 channels on 32×32 slices, evaluated on the 2 validation volumes. */
  async function createSweep(name: string, dataset: string, steps: number, methods: string[]): Promise<number> {
    const file = join(root, `${name}.json`)
    const grid = { densities: [0.4], volumeFractions: [0.5], methods, models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }], seeds: [0] }
    writeFileSync(file, JSON.stringify({ grid, train: { steps, batchSize: 2, sliceSize: [32, 32], evaluateOn: 'validation', threads: 1 } }))
    return (JSON.parse(await ok('sweep', 'create', '--dataset', dataset, '--grid', file, '--json')) as { sweepId: number }).sweepId
  }
  /** A copy of the sample data set, imported under this name (its files can be removed without harm). */
  async function importSample(name: string): Promise<VolumeInfo[]> {
    const data = join(root, name)
    cpSync(sampleDataDir, data, { recursive: true })
    await ok('import', data, '--name', name)
    return (JSON.parse(await ok('info', name, '--json')) as { volumeRecords: VolumeInfo[] }).volumeRecords
  }
  async function status(sweepId: number): Promise<SweepStatus> {
    return SweepStatusSchema.parse(JSON.parse(await ok('sweep', 'status', String(sweepId), '--json')))
  }
  async function runOf(runId: number | null): Promise<{ result: { curve: unknown[]; checkpoint: string; backend: string } }> {
    return JSON.parse(await ok('runs', 'show', String(runId))) as { result: { curve: unknown[]; checkpoint: string; backend: string } }
  }
  async function runCount(): Promise<number> {
    return (JSON.parse(await ok('runs', '--json')) as unknown[]).length
  }
  /** The tasks' scratch folders of a sweep left in $TMPDIR (tsx keeps its compile cache there too). */
  function scratchOf(sweepId: number): string[] {
    return readdirSync(scratch).filter((name) => name.startsWith(`wb-sweep-${sweepId}-`))
  }
  /** Submits from a folder outside the checkout, with a login shell's environment. */
  async function submit(script: string): Promise<string> {
    return (cluster as TestCluster).sbatch(script, { cwd: root, env: { TMPDIR: scratch } })
  }

  it('runs the exported array, collects it as a local run would have, retries the failed task alone; time limit and scancel come back as such', async (ctx) => {
    if (notInstalled) ctx.skip(notInstalled)
    const c = cluster as TestCluster
    const t0 = Date.now()
    const volumes = await importSample('cluster-sample')
    await importSample('slow-sample')

    // A trial that trains far past its one-minute limit, submitted first so it trains beside the main arrays.
    // Its sibling task waits (at most one running) and is cancelled before it ever starts.
    const slow = await createSweep('slow', 'slow-sample', 1_000_000, ['fixed'])
    const slowExport = JSON.parse(await ok('sweep', 'export', String(slow), '--slurm', join(root, 'slow'), '--time', '1', '--cpus-per-task', '1', '--max-running', '1', '--json')) as Exported
    const slowJob = await submit(slowExport.script)
    await c.scancel(`${slowJob}_1`)

    // The reference: the same grid run here, by the local runner.
    const local = await createSweep('local', 'cluster-sample', 4, ['fixed', 'random'])
    await ok('sweep', 'run', String(local), '--workers', '1')
    const localTrials = new Map((await status(local)).trials.map((t) => [t.key, t]))

    const main = await createSweep('main', 'cluster-sample', 4, ['fixed', 'random'])
    const before = await status(main)
    const dense = before.trials.find((t) => t.spec.dense)!
    // A training volume that only the dense trial reads: gone on the "node", that task alone fails.
    const planned = new Set<number>()
    for (const t of before.trials.filter((t) => t.planId !== null)) {
      for (const item of (JSON.parse(await ok('plan', 'show', String(t.planId), '--json')) as { items: { volumeId: number }[] }).items) planned.add(item.volumeId)
    }
    const victim = volumes.find((v) => v.subset === 'train' && !planned.has(v.id))!
    renameSync(victim.imagePath, `${victim.imagePath}.away`)

    const tripStart = Date.now()
    const dir = join(root, 'main')
    const exported = JSON.parse(
      await ok('sweep', 'export', String(main), '--slurm', dir, '--time', '00:10:00', '--mem', '1G', '--cpus-per-task', '1', '--partition', c.partition, '--max-running', '2', '--json'),
    ) as Exported
    expect(exported.trials.sort()).toEqual(before.trials.map((t) => t.id).sort())
    const script = readFileSync(exported.script, 'utf8')
    for (const line of ['--array=0-2%2', '--time=00:10:00', '--mem=1G', '--cpus-per-task=1', `--partition=${c.partition}`, `--output=${dir}/logs/%A_%a.out`, `--error=${dir}/logs/%A_%a.err`]) {
      expect(script).toContain(`#SBATCH ${line}\n`)
    }
    // The nodes run this checkout's CLI by absolute path: no npx, no dependence on the submit folder.
    expect(script).toContain(`workbench() { '${process.execPath}' '${join(repoRoot, 'src/main/cli/bin.mjs')}' "$@"; }`)
    const job = await submit(exported.script)
    const states = await c.waitForJob(job, 240_000)
    expect(states.map((s) => s.state).sort()).toEqual(['COMPLETED', 'COMPLETED', 'FAILED'])
    for (let i = 0; i < 3; i++) {
      expect(readFileSync(join(dir, 'logs', `${job}_${i}.err`), 'utf8')).toMatch(new RegExp(`^workbench task: sweep ${main} \\(\\S+\\) trial \\d+, array task ${job}_${i} on `))
      expect(existsSync(join(dir, 'logs', `${job}_${i}.out`))).toBe(true)
    }
    expect(scratchOf(main)).toEqual([])

    const runsBefore = await runCount()
    const collected = JSON.parse(await ok('sweep', 'collect', String(main), dir, '--json')) as Record<string, unknown>
    expect(collected).toMatchObject({ collected: 2, failed: 1, skipped: 0, unfinished: [], checkpoints: 2 })
    const tripMs = Date.now() - tripStart
    let after = await status(main)
    expect(after.trials.find((t) => t.id === dense.id)).toMatchObject({ status: 'failed', error: expect.stringContaining(victim.imagePath) })
    for (const t of after.trials.filter((t) => !t.spec.dense)) {
      const twin = localTrials.get(t.key)!
      expect(t.status).toBe('done')
      // The same kind of metrics as the local runner records, and — same seed, same backend — the same training.
      expect(Object.keys(t.metrics ?? {}).sort()).toEqual(Object.keys(twin.metrics ?? {}).sort())
      expect(t.backend).toBe(twin.backend)
      const [cluster_, here] = [await runOf(t.runId), await runOf(twin.runId)]
      expect(cluster_.result.curve).toEqual(here.result.curve)
      expect(cluster_.result.checkpoint).toBe(join(root, 'ws', 'runs', String(t.runId), 'model.ckpt'))
      expect(existsSync(cluster_.result.checkpoint)).toBe(true)
    }
    // Collecting again stores nothing twice.
    expect(JSON.parse(await ok('sweep', 'collect', String(main), dir, '--json'))).toMatchObject({ collected: 0, failed: 0, skipped: 3 })
    expect(await runCount()).toBe(runsBefore + 3)

    // The file is back on the node: retry exports the failed trial alone, into the same folder.
    renameSync(`${victim.imagePath}.away`, victim.imagePath)
    const retried = JSON.parse(await ok('sweep', 'retry', String(main), '--slurm', dir, '--cpus-per-task', '1', '--json')) as Exported
    expect(retried.trials).toEqual([dense.id])
    expect(readdirSync(join(dir, 'results', 'earlier'))).toHaveLength(1)
    const retryJob = await submit(retried.script)
    expect((await c.waitForJob(retryJob, 180_000)).map((s) => s.state)).toEqual(['COMPLETED'])
    expect(JSON.parse(await ok('sweep', 'collect', String(main), dir, '--json'))).toMatchObject({ collected: 1, failed: 0, skipped: 2 })
    after = await status(main)
    expect(after.counts).toMatchObject({ done: 3, failed: 0, queued: 0 })
    const denseRun = await runOf(after.trials.find((t) => t.id === dense.id)!.runId)
    expect(denseRun.result.curve).toEqual((await runOf(localTrials.get(dense.key)!.runId)).result.curve)
    await ok('report', '--sweep', String(main), '--out', join(root, 'report'))
    expect(existsSync(join(root, 'report', 'report.html'))).toBe(true)

    // A result folder of another sweep is refused whole.
    const foreign = await cli('sweep', 'collect', String(slow), dir)
    expect(foreign.code).toBe(1)
    expect(foreign.err).toMatch(/is a result of another sweep/)

    // The slow task: killed at its time limit; its cancelled sibling never ran.
    const slowStates = await c.waitForJob(slowJob, 240_000)
    expect(slowStates.find((s) => s.id === `${slowJob}_0`)?.state).toBe('TIMEOUT')
    // (squeue lists a task cancelled while pending as cancelled, or not at all.)
    expect(slowStates.filter((s) => s.id !== `${slowJob}_0`).map((s) => s.state)).not.toContain('COMPLETED')
    expect(JSON.parse(await ok('sweep', 'collect', String(slow), join(root, 'slow'), '--json'))).toMatchObject({ collected: 0, failed: 1, unfinished: [] })
    const slowAfter = await status(slow)
    const killed = slowAfter.trials.find((t) => t.id === slowExport.trials[0])!
    expect(killed.status).toBe('failed')
    expect(killed.error).toMatch(/^killed by Slurm at its time limit \(1\) on \S+ \(array task \S+_0\) before the trial finished; log: /)
    expect(slowAfter.trials.find((t) => t.id === slowExport.trials[1])?.status).toBe('queued')
    expect(scratchOf(slow)).toEqual([])

    console.log(`Slurm round trip: export → sbatch (3 tasks) → collect in ${(tripMs / 1000).toFixed(1)} s; whole test ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }, 600_000)

  it('a cluster left running by a test process that was killed is stopped by the next start', async (ctx) => {
    if (notInstalled) ctx.skip(notInstalled)
    const crashing = join(root, 'crashing.mts')
    writeFileSync(crashing, `import { startTestCluster } from ${JSON.stringify(join(repoRoot, 'src/main/test-support/slurm-cluster.ts'))}\nconst c = await startTestCluster()\nconsole.log(c.folder)\nsetInterval(() => {}, 1000)\n`)
    const child = spawn(process.execPath, ['--import', 'tsx', crashing], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
    const folder = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.trim())
      })
      child.on('exit', (code) => reject(new Error(`the crashing test process ended first (code ${code})`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    // Its daemons outlive it (no exit handler runs on SIGKILL)…
    expect(processesOf(folder).length).toBeGreaterThan(0)
    const next = await startTestCluster()
    try {
      // …until the next start finds the folder of a dead owner and stops them.
      expect(processesOf(folder)).toEqual([])
      expect(existsSync(folder)).toBe(false)
    } finally {
      await next.stop()
    }
  }, 180_000)
})
