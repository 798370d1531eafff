// The worker threads of the BUILT app: `electron-vite build` must write every worker as its own file in out/main,
// and the bundled runners must start them with no source tree and no tsx. Electron cannot run here, so a plain
// `node` child process loads out/main/runners.js (the runners as the app bundles them, without Electron) and runs
// one real job on each worker: a dataset import of two sample volumes into a fresh store, the interpolation of one
// plan volume, and two training steps of a tiny 2D U-Net (see built-workers-driver.mjs).
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../src/shared/dataset'
import type { GpuAdapter } from '../src/shared/training'
import { importDataset } from '../src/main/core/datasets/import'
import { inProcess } from '../src/main/core/execution'
import { interpolatePlan } from '../src/main/core/interpolation/plan-run'
import { runVolumeTask, type VolumeTask, type VolumeTaskResult } from '../src/main/core/interpolation/volume-task'
import { createPlan } from '../src/main/core/planning/plans'
import { openDatabase } from '../src/main/core/store/database'
import { getDataset } from '../src/main/core/store/datasets-repo'
import type { TrainJob } from '../src/main/core/training/job'
import { resolveTrainJob } from '../src/main/core/training/resolve-job'
import { repoRoot, sampleDataDir } from '../src/main/test-support/shared-data'
import type { ImportJob } from '../src/main/app/import-protocol'
import { workerNames } from '../src/main/workers/worker-files'

const outMain = join(repoRoot, 'out', 'main')
/** The files the app and this check load from out/main. */
const builtEntries = ['index.js', 'runners.js', ...workerNames.map((n) => `${n}.js`)]

/** Newest modification time of the files a main build is made from (specs excluded). */
function newestSourceTime(): number {
  let newest = 0
  const visit = (path: string): void => {
    const stat = statSync(path)
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name))
    else if (!path.endsWith('.spec.ts')) newest = Math.max(newest, stat.mtimeMs)
  }
  for (const part of ['src/main', 'src/shared', 'electron.vite.config.ts', 'package.json']) visit(join(repoRoot, part))
  return newest
}

/** Oldest modification time of the built entries, or null when one is missing. */
function oldestBuiltTime(): number | null {
  let oldest = Infinity
  for (const file of builtEntries) {
    const path = join(outMain, file)
    if (!existsSync(path)) return null
    oldest = Math.min(oldest, statSync(path).mtimeMs)
  }
  return oldest
}

/** Runs `electron-vite build` (as `npm run build` does) unless out/main is complete and newer than every source. */
async function ensureMainBuilt(): Promise<'reused' | 'built'> {
  const built = oldestBuiltTime()
  if (built !== null && built >= newestSourceTime()) return 'reused'
  const cli = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
  let log = ''
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [cli, 'build'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (s: string) => (log += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (log += s))
    child.on('error', fail)
    child.on('exit', (code, signal) => (code === 0 ? done() : fail(new Error(`electron-vite build failed (${signal ?? `exit code ${code}`}):\n${log}`))))
  })
  return 'built'
}

/** Relative imports (static and dynamic) and bare package names a built file imports, read from its text. */
function importsOf(file: string): { relative: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1] as string)
  return { relative: specifiers.filter((s) => s.startsWith('.')), packages: specifiers.filter((s) => !s.startsWith('.')) }
}

/** Every file of out/main reachable from `entry`, and every package they import. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    const found = importsOf(join(outMain, file))
    for (const p of found.packages) packages.add(p)
    for (const r of found.relative) visit(join(dirname(join(outMain, file)), r).slice(outMain.length + 1))
  }
  visit(entry)
  return { files: [...files].sort(), packages: [...packages].sort() }
}

/** What built-workers-driver.mjs prints. */
interface DriverReport {
  loaderFree: boolean
  entries: Record<string, { file: string; module?: string }>
  import: { summary: DatasetSummary; progress: { done: number; total: number; caseId: string }[] }
  interpolation: { iou: number; dice: number; slices: number; progress: [number, number][] }
  train: { backend: string; threads: number; steps: number; curve: number[]; checkpoint: string; phases: string[] }
  webgpu: { backend: string; adapter: GpuAdapter | null; curve: number[] } | { error: string }
}

/** Runs the driver in a plain `node` child (no --import, no NODE_OPTIONS) and parses its last stdout line. */
function runDriver(jobsFile: string, timeoutMs: number): Promise<DriverReport> {
  return new Promise((done, fail) => {
    const env = { ...process.env }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, [join(repoRoot, 'e2e', 'built-workers-driver.mjs'), jobsFile], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', fail)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) return fail(new Error(`the driver failed (${signal ?? `exit code ${code}`}):\n${stderr}`))
      const last = stdout.trim().split('\n').at(-1) ?? ''
      try {
        done(JSON.parse(last) as DriverReport)
      } catch {
        fail(new Error(`the driver printed no report:\n${stdout}\n${stderr}`))
      }
    })
  })
}

describe('the built app’s worker threads (out/main, plain Node, no tsx)', () => {
  let root: string
  let build: 'reused' | 'built'
  let importJob: ImportJob
  let volumeTask: VolumeTask
  let inProcessResult: VolumeTaskResult
  let trainJob: TrainJob
  let webgpuJob: TrainJob

  beforeAll(async () => {
    build = await ensureMainBuilt()
    root = mkdtempSync(join(tmpdir(), 'wb-built-workers-'))
    // Two sample pairs in the paired layout, with the sample's dataset.json (its label names).
    const folder = join(root, 'two')
    for (const sub of ['images', 'labels']) mkdirSync(join(folder, sub), { recursive: true })
    const cases = readdirSync(join(sampleDataDir, 'images')).sort().slice(0, 2)
    for (const name of cases) for (const sub of ['images', 'labels']) copyFileSync(join(sampleDataDir, sub, name), join(folder, sub, name))
    copyFileSync(join(sampleDataDir, 'dataset.json'), join(folder, 'dataset.json'))
    const split = { train: 1, val: 0, test: 0 }
    importJob = { dbPath: join(root, 'built.db'), workspace: join(root, 'built-ws'), options: { folder, name: 'two', split } }

    // The interpolation task and the training job are made from source, in this process, on their own store.
    const db = openDatabase(':memory:')
    try {
      const workspace = join(root, 'prep-ws')
      const dataset = importDataset({ db, workspace }, { folder, name: 'two', split })
      const { plan } = await createPlan(db, { dataset: 'two', density: 0.2, volumeFraction: 1, method: 'fixed' })
      // The tasks interpolatePlan hands its executor, and their results on this thread, to compare the built worker's with.
      let tasks: readonly VolumeTask[] = []
      let results: VolumeTaskResult[] = []
      const onThisThread = inProcess<VolumeTask, VolumeTaskResult>((task) => runVolumeTask(task))
      const capture = async (t: readonly VolumeTask[], o: Parameters<typeof onThisThread>[1]): Promise<VolumeTaskResult[]> => {
        tasks = t
        results = await onThisThread(t, o)
        return results
      }
      await interpolatePlan({ db, workspace, execute: capture }, { planId: plan.planId, method: 'propagate' })
      const [first] = tasks
      const [firstResult] = results
      if (!first || !firstResult) throw new Error('the plan gave no interpolation task')
      volumeTask = { ...first, outPath: join(root, 'built-mask.nii.gz') }
      inProcessResult = firstResult
      const resolved = await resolveTrainJob(
        { db },
        { datasetId: dataset.id, planId: plan.planId, model: { kind: 'unet2d', depth: 1, baseChannels: 4 }, batchSize: 2, sliceSize: [64, 64], steps: 2, logEvery: 1, evaluateOn: 'none', seed: 1, threads: 2 },
      )
      trainJob = { ...resolved, runId: 1, checkpointPath: join(root, 'built-run', 'model.ckpt') }
      webgpuJob = { ...trainJob, runId: 2, config: { ...trainJob.config, backend: 'webgpu' }, checkpointPath: join(root, 'built-run-webgpu', 'model.ckpt') }
    } finally {
      db.close()
    }
  })
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('writes every worker as its own entry of the main build, none of them reaching Electron, tsx or a .ts file', () => {
    console.info(`out/main was ${build} for this check`)
    for (const file of builtEntries) expect(existsSync(join(outMain, file)), `out/main/${file} is missing`).toBe(true)
    for (const entry of ['runners.js', ...workerNames.map((n) => `${n}.js`)]) {
      const graph = importGraph(entry)
      expect(graph.files, `${entry} reaches the app entry`).not.toContain('index.js')
      expect(graph.packages.filter((p) => p === 'electron' || p.startsWith('electron/') || p.startsWith('tsx')), `${entry} imports`).toEqual([])
      expect(graph.files.filter((f) => f.endsWith('.ts')), `${entry} imports`).toEqual([])
    }
    // Native and wasm packages stay in node_modules (loaded from there at run time), not copied into the bundle.
    expect(importGraph('train.worker.js').packages).toEqual(expect.arrayContaining(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']))
    expect(importGraph('import.worker.js').packages).toContain('better-sqlite3')
  })

  it('runs an import, an interpolation and two training steps (wasm, then forced webgpu) on the built workers from plain Node', async () => {
    const jobsFile = join(root, 'jobs.json')
    writeFileSync(jobsFile, JSON.stringify({ outMain, importJob, volumeTask, trainJob, webgpuJob }))
    const started = Date.now()
    const report = await runDriver(jobsFile, 150_000)
    console.info(`the driver ran the three built workers in ${((Date.now() - started) / 1000).toFixed(1)} s`)

    expect(report.loaderFree).toBe(true)
    // The bundled resolver started the built files, not bootstrap.mjs with a TypeScript module.
    for (const name of workerNames) expect(report.entries[name]).toEqual({ file: join(outMain, `${name}.js`) })

    // Import: both pairs stored through the worker's own connection, visible to a new one.
    expect(report.import.summary).toMatchObject({ name: 'two', volumes: 2 })
    expect(report.import.progress.map((p) => [p.done, p.total])).toEqual([[1, 2], [2, 2]])
    const db = openDatabase(importJob.dbPath)
    try {
      expect(getDataset(db, 'two')?.volumeRecords).toHaveLength(2)
    } finally {
      db.close()
    }

    // Interpolation: the built worker gives the source code's numbers and writes the mask.
    expect(report.interpolation.iou).toBeCloseTo(inProcessResult.iou, 12)
    expect(report.interpolation.dice).toBeCloseTo(inProcessResult.dice, 12)
    expect(report.interpolation.progress.at(-1)).toEqual([1, 1])
    expect(existsSync(join(root, 'built-mask.nii.gz'))).toBe(true)

    // Training: the wasm backend found its .wasm binaries from out/main and started its threaded build (its
    // pthread workers too), two steps ran, the checkpoint is written.
    expect(report.train.backend).toBe('wasm')
    expect(report.train.threads).toBe(2)
    expect(report.train.steps).toBe(2)
    expect(report.train.curve).toEqual([1, 2])
    expect(report.train.phases).toContain('training')
    expect(existsSync(report.train.checkpoint)).toBe(true)

    // The forced webgpu rung from the built worker (what the desktop app's workers load): here Mesa's
    // software adapter, which CI installs; elsewhere the reason it could not open is the report.
    if ('error' in report.webgpu) {
      if (process.env.CI) throw new Error(`the built worker could not train on webgpu: ${report.webgpu.error}`)
      console.warn(`built worker on webgpu skipped: ${report.webgpu.error}`)
      return
    }
    expect(report.webgpu.backend).toBe('webgpu')
    expect(report.webgpu.adapter?.api).toBeTruthy()
    expect(report.webgpu.curve).toHaveLength(2)
    expect(report.webgpu.curve.every(Number.isFinite)).toBe(true)
  }, 180_000)
})
