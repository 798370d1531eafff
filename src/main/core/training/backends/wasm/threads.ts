/**
 * Starts TF.js's threaded-SIMD wasm build in Node. The backend hands Emscripten its pthread worker and its
 * main script as Blobs (`URL.createObjectURL(new Blob(...))`), and Node's Worker refuses blob: URLs
 * (ERR_WORKER_PATH). While the backend initialises, and only then, Blob and URL.createObjectURL are wrapped
 * so that those two Blobs become files in a temporary folder: the worker as a .cjs file whose appended
 * prelude points the worker's own createObjectURL at the main-script file, and the main script (the
 * Emscripten factory's source) with the bundle-level names it refers to defined in front of it. Every
 * other Blob passes through untouched.
 *
 * The C side caps XNNPACK's pool at os.cpus().length / 2 (it assumes two hyper-threads per core), which is
 * one thread on a 2-core machine; during the same window os.cpus() reports twice the asked-for count.
 *
 * Emscripten keeps a running pthread's worker referenced, so XNNPACK's idle thread pool would keep Node
 * alive forever; once initialised, the workers are unreferenced (they die with the process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'

/** The main script's Blob starts with this (tfjs-backend-wasm's init()). */
const mainScriptMark = 'var WasmBackendModuleThreadedSimd = '
/** The pthread worker's source calls the factory by this name. */
const workerMark = 'WasmBackendModuleThreadedSimd(Module)'
/** Emscripten's pre-allocated pthread pool: more threads would allocate workers after the Blob window. */
export const maxWasmThreads = 8
/** tfjs-backend-wasm registers 'wasm' with this priority (not exported); re-registering keeps it. */
const wasmBackendPriority = 2

/**
 * Definitions the Emscripten factory's source needs when it runs alone in a worker: in the bundle they
 * are module-level names (Node modules and three small TypeScript down-level helpers).
 */
const mainScriptPrelude = `var commonjsGlobal = globalThis;
var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');
function __values(o) { return o[Symbol.iterator](); }
function __read(o, n) { var all = Array.from(o); return n === undefined ? all : all.slice(0, n); }
function __spreadArray(to, from) { return to.concat(Array.prototype.slice.call(from)); }
`

/** The worker appends this: its 'load' handler turns the posted main-script Blob into a URL and imports it. */
function workerPrelude(mainScriptPath: string): string {
  return `\n;URL.createObjectURL = function () { return ${JSON.stringify(mainScriptPath)}; };\nURL.revokeObjectURL = function () {};\n`
}

/** Threads for `requested` (0 = one per core), capped at the pthread pool; 1 means single-threaded. */
export function resolveWasmThreads(requested: number, cores: number = availableParallelism()): number {
  if (!Number.isInteger(requested) || requested < 0) throw new Error(`wasm threads must be a whole number ≥ 0, got ${requested}`)
  return Math.max(1, Math.min(requested === 0 ? cores : requested, maxWasmThreads))
}

/** True where this Node can share wasm memory between workers (the threaded build's precondition). */
export function sharedWasmMemorySupported(): boolean {
  // Node's types do not declare the WebAssembly global (it is a DOM-lib type); read it structurally.
  const wasm = Reflect.get(globalThis, 'WebAssembly') as { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: unknown } } | undefined
  try {
    return wasm !== undefined && new wasm.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
  } catch {
    return false
  }
}

const requireBuiltin = createRequire(import.meta.url)
/** The `os` module object the wasm bundle calls (`require('os').cpus()`), patchable unlike an ESM namespace. */
const osModule = requireBuiltin('node:os') as typeof import('node:os')
/** The `worker_threads` module object, whose Worker the bundle reads when its factory runs. */
const workerThreadsModule = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads')

/**
 * Worker with no inherited execArgv: a pthread worker is a plain .cjs file, and flags of the main process
 * (`--input-type`, `--import tsx`, ...) would fail it or slow it down.
 */
class PlainWorker extends workerThreadsModule.Worker {
  constructor(filename: string | URL, options: import('node:worker_threads').WorkerOptions = {}) {
    super(filename, { ...options, execArgv: [] })
  }
}

/**
 * Wraps Blob, URL.createObjectURL, os.cpus and worker_threads.Worker until the returned restore function is
 * called: the two wasm Blobs are written to files in `dir`, os.cpus() lists 2·threads entries and workers
 * start without the main process's execArgv.
 */
function interceptWasmInit(dir: string, threads: number): () => void {
  const RealBlob = globalThis.Blob
  const realCreate = URL.createObjectURL.bind(URL)
  const descriptor = Object.getOwnPropertyDescriptor(URL, 'createObjectURL')
  const texts = new WeakMap<Blob, string>()
  const mainScriptPath = join(dir, 'wasm-main.cjs')
  class CapturingBlob extends RealBlob {
    constructor(...[parts, options]: ConstructorParameters<typeof Blob>) {
      super(parts, options)
      const first = parts?.[0]
      if (parts?.length !== 1 || typeof first !== 'string') return
      // The main script is posted to workers as a Blob, never given to createObjectURL here: write it now.
      if (first.startsWith(mainScriptMark)) writeFileSync(mainScriptPath, mainScriptPrelude + first)
      else if (first.includes(workerMark)) texts.set(this, first)
    }
  }
  let workers = 0
  const RealWorker = workerThreadsModule.Worker
  workerThreadsModule.Worker = PlainWorker
  const realCpus = osModule.cpus
  osModule.cpus = () => {
    const list = realCpus()
    const first = list[0] ?? { model: 'unknown', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }
    return Array.from({ length: 2 * threads }, (_, i) => list[i] ?? first)
  }
  globalThis.Blob = CapturingBlob
  URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj)
    if (text === undefined) return realCreate(obj)
    const path = join(dir, `wasm-worker-${workers++}.cjs`)
    writeFileSync(path, text + workerPrelude(mainScriptPath))
    return path
  }
  return () => {
    workerThreadsModule.Worker = RealWorker
    osModule.cpus = realCpus
    globalThis.Blob = RealBlob
    if (descriptor) Object.defineProperty(URL, 'createObjectURL', descriptor)
  }
}

/** The Emscripten module's pthread bookkeeping, as far as this file uses it. */
interface PThreadPool {
  readonly runningWorkers: readonly { unref(): void }[]
  readonly unusedWorkers: readonly { unref(): void }[]
}

/** The thread pool of an initialised wasm backend, or null when it has none (the single-threaded build). */
function pthreadPool(backend: unknown): PThreadPool | null {
  const wasm = (backend as { wasm?: { PThread?: PThreadPool } }).wasm
  return wasm?.PThread ?? null
}

/** Lets Node exit while XNNPACK's pool threads wait for work (they are killed with the process). */
function unrefWorkers(backend: unknown): void {
  const pool = pthreadPool(backend)
  if (!pool) return
  for (const w of [...pool.runningWorkers, ...pool.unusedWorkers]) w.unref()
}

/** What {@link enableWasmThreads} arranged. */
export interface WasmThreadsSetup {
  /** The thread count the backend will be asked for (after the cap). */
  readonly threads: number
}

/**
 * Arranges for the next initialisation of the 'wasm' backend to start the threaded build with `threads`
 * threads (≥ 2; the caller handles 1). Must run before the backend initialises. If the threaded build
 * cannot start (no SIMD, no shared memory, or its init fails), the backend initialises single-threaded
 * instead; {@link wasmThreadsInUse} tells which happened.
 */
export function enableWasmThreads(threads: number): WasmThreadsSetup {
  const count = resolveWasmThreads(threads)
  const original = tf.findBackendFactory('wasm')
  if (!original) throw new Error('enableWasmThreads: the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm first)')
  if (count < 2 || !sharedWasmMemorySupported()) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    return { threads: 1 }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)
  setThreadsCount(count)
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    async () => {
      if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
        // The threaded build is a SIMD build; without SIMD, init() would fall back to the plain binary anyway.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
        return original()
      }
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-wasm-threads-'))
      const restore = interceptWasmInit(dir, count)
      try {
        const backend = await original()
        unrefWorkers(backend)
        return backend
      } catch {
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
        restore()
        return original()
      } finally {
        restore()
        // Every worker has read its files once the module is ready (the pool loads before it resolves).
        rmSync(dir, { recursive: true, force: true })
      }
    },
    wasmBackendPriority,
  )
  return { threads: count }
}

/** Threads the initialised wasm backend runs on (1 for the single-threaded build). */
export function wasmThreadsInUse(): number {
  const backend = tf.findBackend('wasm')
  if (!backend) throw new Error('wasmThreadsInUse: the wasm backend is not initialised')
  return pthreadPool(backend) === null ? 1 : Math.max(1, getThreadsCount())
}
