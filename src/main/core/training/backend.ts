/**
 * The backend ladder: native TensorFlow (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, both
 * optional and absent on many machines), then wasm with the project's convolution kernels, then the pure-JS
 * cpu backend (correct but ~1000× slower than PyTorch for training). Every rung that is skipped records
 * why, so a run record can say which backend trained it and why not a faster one.
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname } from 'node:path'
import * as tf from '@tensorflow/tfjs'
// Importing the wasm backend registers it and its stock kernels; the project's kernels must come after.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { InputError } from '../../../shared/errors'
import { registerProjectWasmKernels } from './kernels/register'
import { enableWasmThreads, wasmThreadsInUse } from './wasm-threads'

/** The backends the ladder can end on ('tensorflow' is what tfjs-node and tfjs-node-gpu register). */
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const
/** One of the ladder's backends. */
export type BackendName = (typeof backendNames)[number]

/** The backend a ladder ended on and why each higher rung was skipped. */
export interface BackendChoice {
  readonly name: BackendName
  /** One line per skipped rung (or package), highest first. */
  readonly reasons: string[]
  /** Threads the backend computes on: wasm's pool (1 = single-threaded build), tensorflow's = cores, cpu 1. */
  readonly threads: number
}

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Use this backend or fail (the CLI's --backend); without it, the first rung that works. */
  readonly force?: BackendName
  /** How a native package is loaded; a seam for tests, the default is a dynamic import. */
  readonly importModule?: (specifier: string) => Promise<unknown>
  /** Threads for wasm (0 = one per core; default 1); see {@link configureWasm}. */
  readonly threads?: number
}

/** Native packages in order of preference: the GPU build first. */
export const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const

/** The first line of an error's message (native load errors carry long dlopen traces). */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return text.split('\n')[0] ?? text
}

/** Loads a module by a name TypeScript and the bundler must not resolve at build time. */
const dynamicImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier)

/** Tries the native packages; returns true once one has made 'tensorflow' the active backend. */
async function tryTensorflow(reasons: string[], load: (s: string) => Promise<unknown>): Promise<boolean> {
  for (const pkg of nativePackages) {
    try {
      await load(pkg)
    } catch (e) {
      reasons.push(`${pkg}: not loadable (${firstLine(e)})`)
      continue
    }
    // A package built against another copy of tfjs-core registers its backend there, not here.
    if (!tf.findBackendFactory('tensorflow')) {
      reasons.push(`${pkg}: loaded, but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs`)
      continue
    }
    try {
      if (await tf.setBackend('tensorflow')) return true
      reasons.push(`${pkg}: the 'tensorflow' backend failed to initialise`)
    } catch (e) {
      reasons.push(`${pkg}: the 'tensorflow' backend failed to initialise (${firstLine(e)})`)
    }
  }
  return false
}

/** Options for {@link configureWasm}. */
export interface WasmOptions {
  /**
   * Threads (0 = one per core; default 1). Above 1 the threaded-SIMD build starts its pthread workers
   * (see wasm-threads.ts), capped at its pool of 8; where it cannot, wasm runs single-threaded.
   */
  readonly threads?: number
}

/** The thread count the first configureWasm asked for (null: not configured yet). */
let wasmThreadsAsked: number | null = null

/**
 * Points the wasm backend at its .wasm files in node_modules, chooses the single- or multi-threaded build
 * and registers the project's kernels. Must run before the backend initialises; the first call's thread
 * count holds for the process (a backend cannot change builds), later calls change nothing.
 */
export function configureWasm(options: WasmOptions = {}): void {
  if (wasmThreadsAsked !== null) return
  const threads = options.threads ?? 1
  if (!Number.isInteger(threads) || threads < 0) throw new InputError('threads', `must be a whole number ≥ 0, got ${threads}`)
  enableWasmThreads(threads)
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')
  // The package's main file sits in dist/, next to the .wasm binaries; a trailing slash makes it a prefix.
  try {
    setWasmPaths(`${dirname(main)}/`)
  } catch {
    // Something already initialised wasm: its paths are fixed and, since it loaded, they worked.
  }
  registerProjectWasmKernels()
  wasmThreadsAsked = threads
}

/** Makes wasm the active backend; returns the reason it failed, or null. */
async function tryWasm(threads: number): Promise<string | null> {
  try {
    configureWasm({ threads })
    if (await tf.setBackend('wasm')) return null
    return 'wasm: the backend failed to initialise'
  } catch (e) {
    return `wasm: ${firstLine(e)}`
  }
}

/** Selects and activates the fastest working backend (or the forced one); see the module comment. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const load = options.importModule ?? dynamicImport
  const reasons: string[] = []
  const { force } = options
  if (force === undefined || force === 'tensorflow') {
    if (await tryTensorflow(reasons, load)) return { name: 'tensorflow', reasons, threads: availableParallelism() }
    if (force) throw new InputError('--backend tensorflow', `not available: ${reasons.join('; ')}`)
  } else {
    reasons.push(`tensorflow: skipped, --backend ${force} was asked for`)
  }
  if (force === undefined || force === 'wasm') {
    const failure = await tryWasm(options.threads ?? 1)
    if (failure === null) return { name: 'wasm', reasons, threads: wasmThreadsInUse() }
    reasons.push(failure)
    if (force) throw new InputError('--backend wasm', `not available: ${failure}`)
  } else {
    reasons.push(`wasm: skipped, --backend ${force} was asked for`)
  }
  if (!(await tf.setBackend('cpu'))) throw new Error(`the cpu backend failed to initialise (${reasons.join('; ')})`)
  return { name: 'cpu', reasons, threads: 1 }
}
