// The one place that knows where a worker thread's code is at run time. From source (tsx: the CLI and
// `workbench serve`; vitest) a worker is bootstrap.mjs, which registers tsx and imports the TypeScript module.
// In the built app the main bundle (out/main) holds every worker as its own entry file, plain JavaScript
// that needs no loader, so a packaged app runs without the source tree or tsx.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { GPU_INIT_LOCK_KEY, gpuInitLockBuffer, prepareGpuEnvironment, releaseGlSessionOf } from '../core/training/backends/webgpu/process-gpu'
import { workerFiles, type WorkerName } from './worker-files'

/** How to start one worker thread. */
export interface WorkerEntry {
  /** The file given to `new Worker`. */
  readonly file: string
  /** From source only: the URL of the TypeScript module bootstrap.mjs imports (it reads workerData.module). */
  readonly module?: string
}

/** True when `moduleUrl` is a TypeScript file run from source, false for a module of the built bundle. */
export function isSourceModule(moduleUrl: string): boolean {
  return /\.[cm]?ts$/.test(new URL(moduleUrl).pathname)
}

/** A worker started from a TypeScript module through bootstrap.mjs (source runs, and test-only workers). */
export function sourceWorkerEntry(module: URL): WorkerEntry {
  return { file: fileURLToPath(new URL('./bootstrap.mjs', import.meta.url)), module: module.href }
}

/**
 * Where the worker `name` is. `base` is the URL of the module this code runs in (by default its own): a .ts
 * file in src/main/workers when run from source, a file of out/main when bundled — the build writes its chunks
 * flat beside the entries (electron.vite.config.ts), so the worker files sit next to it. A built worker file
 * that is missing is an error that says so, not a worker that dies on start.
 */
export function workerEntry(name: WorkerName, base: string = import.meta.url): WorkerEntry {
  if (isSourceModule(base)) return sourceWorkerEntry(new URL(`../${workerFiles[name]}`, base))
  const file = fileURLToPath(new URL(`./${name}.js`, base))
  if (!existsSync(file)) throw new Error(`the worker file ${file} is missing from the build: rebuild the app (npm run build)`)
  return { file }
}

/** Starts a worker thread on `entry`, handing it `workerData` (plus, from source, the module bootstrap.mjs loads). */
export function startWorker(entry: WorkerEntry, workerData: Record<string, unknown>): Worker {
  // A worker may train on webgpu: its OpenGL path reads the process environment (set from here only), and
  // every thread must initialise Dawn under the process's one lock (process-gpu.ts).
  prepareGpuEnvironment()
  const data = { ...workerData, [GPU_INIT_LOCK_KEY]: gpuInitLockBuffer(), ...(entry.module === undefined ? {} : { module: entry.module }) }
  const worker = new Worker(entry.file, { workerData: data })
  const { threadId } = worker
  worker.once('exit', () => releaseGlSessionOf(threadId))
  return worker
}
