/**
 * The wasm rung: TF.js's WebAssembly backend (XNNPACK, SIMD, optionally threaded) with the project's
 * convolution kernels registered over the missing or wrong stock ones (see register-kernels.ts).
 */
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import * as tf from '@tensorflow/tfjs'
// Importing the wasm backend registers it and its stock kernels; the project's kernels must come after.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { InputError } from '../../../../../shared/errors'
import { firstLine } from '../first-line'
import { registerProjectWasmKernels } from './register-kernels'
import { enableWasmThreads, wasmThreadsInUse } from './threads'

/** Options for {@link configureWasm}. */
export interface WasmOptions {
  /**
   * Threads (0 = one per core; default 1). Above 1 the threaded-SIMD build starts its pthread workers
   * (see threads.ts), capped at its pool of 8; where it cannot, wasm runs single-threaded.
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

/** Makes wasm the active backend; returns the threads it computes on, or the reason it failed. */
export async function activateWasm(threads: number): Promise<{ threads: number } | { failure: string }> {
  try {
    configureWasm({ threads })
    if (await tf.setBackend('wasm')) return { threads: wasmThreadsInUse() }
    return { failure: 'wasm: the backend failed to initialise' }
  } catch (e) {
    return { failure: `wasm: ${firstLine(e)}` }
  }
}
