/**
 * The backend ladder, fastest first: native TensorFlow (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, optional and absent on many machines), then WebGPU on a hardware adapter, then
 * wasm with the project's convolution kernels, then the pure-JS cpu backend (correct but ~1000× slower
 * than PyTorch for training). Each rung lives in backends/<name>/; this file only orders them and records
 * why a rung was skipped, so a run record can say which backend trained it and why not a faster one.
 */
import { availableParallelism } from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../shared/errors'
import { describeAdapter, trainBackends, type BackendProbe, type GpuAdapter, type TrainBackend } from '../../../shared/training'
import { activateTensorflow, dynamicImport, loadNativePackage, nativePackages } from './backends/tensorflow/setup'
import { activateWasm } from './backends/wasm/setup'
import { activateWebgpu, webgpuFault, WEBGPU } from './backends/webgpu/setup'
import { findAdapter, type DawnModule } from './backends/webgpu/adapter'

/** The backends the ladder can end on, fastest first. */
export const backendNames = trainBackends
/** One of the ladder's backends. */
export type BackendName = TrainBackend

/** The backend a ladder ended on and why each higher rung was skipped. */
export interface BackendChoice {
  readonly name: BackendName
  /** One line per skipped rung (or package), highest first. */
  readonly reasons: string[]
  /** Threads the backend computes on: wasm's pool (1 = single-threaded build), tensorflow's = cores, cpu 1, webgpu 1 (the GPU). */
  readonly threads: number
  /** The GPU adapter of the webgpu rung, else null (a software one only when forced: softwareAdapterWarning). */
  readonly adapter: GpuAdapter | null
  /** The largest tensor the backend can hold in one buffer, in bytes (null: bounded only by memory). */
  readonly maxTensorBytes: number | null
}

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Use this backend or fail (the CLI's --backend); without it, the first rung that works. */
  readonly force?: BackendName
  /** How a native package is loaded; a seam for tests, the default is a dynamic import. */
  readonly importModule?: (specifier: string) => Promise<unknown>
  /** How Dawn's bindings are loaded; a seam for tests. */
  readonly loadDawn?: () => Promise<DawnModule>
  /** Threads for wasm (0 = one per core; default 1); see configureWasm. */
  readonly threads?: number
}

/** The choice for a rung that was taken. */
function chosen(name: BackendName, reasons: string[], threads: number, adapter: GpuAdapter | null = null, maxTensorBytes: number | null = null): BackendChoice {
  return { name, reasons, threads, adapter, maxTensorBytes }
}

/** Throws the input error of a forced rung that is not available. */
function unavailable(name: BackendName, why: readonly string[]): never {
  throw new InputError(`--backend ${name}`, `not available: ${why.join('; ')}`)
}

/** Selects and activates the fastest working backend (or the forced one); see the module comment. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const reasons: string[] = []
  const { force } = options
  const wanted = (name: BackendName): boolean => {
    if (force === undefined || force === name) return true
    reasons.push(`${name}: skipped, --backend ${force} was asked for`)
    return false
  }
  if (wanted('tensorflow')) {
    const tried: string[] = []
    if (await activateTensorflow(tried, options.importModule ?? dynamicImport)) return chosen('tensorflow', [...reasons, ...tried], availableParallelism())
    if (force) unavailable('tensorflow', tried)
    reasons.push(...tried)
  }
  if (wanted('webgpu')) {
    const gpu = await activateWebgpu({ forced: force === 'webgpu', ...(options.loadDawn ? { loadDawn: options.loadDawn } : {}) })
    if ('adapter' in gpu) return chosen('webgpu', reasons, 1, gpu.adapter, gpu.maxTensorBytes)
    if (force) unavailable('webgpu', gpu.reasons)
    reasons.push(...gpu.reasons)
  }
  if (wanted('wasm')) {
    const wasm = await activateWasm(options.threads ?? 1)
    if ('threads' in wasm) return chosen('wasm', reasons, wasm.threads)
    if (force) unavailable('wasm', [wasm.failure])
    reasons.push(wasm.failure)
  }
  if (!(await tf.setBackend('cpu'))) throw new Error(`the cpu backend failed to initialise (${reasons.join('; ')})`)
  return chosen('cpu', reasons, 1)
}

/**
 * Throws the fault an asynchronous backend reported since the last check (a lost GPU device, GPU out of
 * memory); a no-op on synchronous backends, whose faults throw where they happen.
 */
export function throwIfBackendFault(): void {
  if (tf.getBackend() !== WEBGPU) return
  const error = webgpuFault()
  if (error) throw error
}

/**
 * What each rung would find on this machine, without activating any backend or training (the UI's compute
 * facts; a native package is only imported, a GPU adapter only requested, no device opened).
 */
export async function probeBackends(options: Pick<SelectBackendOptions, 'importModule' | 'loadDawn'> = {}): Promise<BackendProbe> {
  const load = options.importModule ?? dynamicImport
  const tensorflow: string[] = []
  let tensorflowFound = false
  for (const pkg of nativePackages) {
    if (!(await loadNativePackage(pkg, tensorflow, load))) continue
    tensorflowFound = true
    tensorflow.push(`${pkg} loads`)
    break
  }
  // As the unforced ladder searches: a hardware adapter or the reasons (a software one is among them); no
  // OpenGL, which one thread of a process may use at a time, and the probe runs in the app's main thread.
  const found = await findAdapter({ allowSoftware: false, ...(options.loadDawn ? { loadDawn: options.loadDawn } : {}) })
  const adapter = 'facts' in found ? found.facts : null
  const rungs: BackendProbe['rungs'] = [
    { name: 'tensorflow', available: tensorflowFound, adapter: null, detail: tensorflow },
    { name: 'webgpu', available: adapter !== null, adapter, detail: 'facts' in found ? [`GPU adapter ${describeAdapter(found.facts)}`] : found.reasons },
    { name: 'wasm', available: true, adapter: null, detail: ['WebAssembly (XNNPACK, SIMD) on the CPU'] },
    { name: 'cpu', available: true, adapter: null, detail: ['plain JavaScript: correct, but far too slow to train'] },
  ]
  const chosen = rungs.find((r) => r.available)?.name ?? 'cpu'
  return { rungs, chosen }
}
