/**
 * The webgpu rung: TF.js's WebGPU backend on a device we open ourselves through Dawn (adapter.ts).
 * TF.js's package registers its backend only when `navigator.gpu` exists when it is imported, and then asks
 * the browser's way for an adapter; here the device is made first (with the adapter's own limits: the
 * default maxComputeWorkgroupSizeX of 128 rejects TF.js's 256-wide reductions) and handed to
 * `new WebGPUBackend(device, info)` under the name 'webgpu'. The device is opened once per thread.
 *
 * Faults arrive asynchronously on WebGPU (an out-of-memory buffer, a lost device): they are kept here and
 * {@link webgpuFault} turns them into one clear error that the training loop throws between steps.
 */
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs'
import type { GpuAdapter } from '../../../../../shared/training'
import { firstLine } from '../first-line'
import { findAdapter, type FindAdapterOptions } from './adapter'
import { withGpuInitLock } from './process-gpu'
import { registerProjectWebgpuKernels } from './register-kernels'

/** The name the backend is registered under (the same as TF.js's own, so its kernels apply). */
export const WEBGPU = 'webgpu'

/** Limits TF.js's shaders need raised to what the adapter allows. */
const raisedLimits = [
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
] as const

/** The opened device of this thread. */
interface OpenDevice {
  readonly device: GPUDevice
  readonly facts: GpuAdapter
  /** The largest storage buffer a shader may bind, in bytes. */
  readonly maxBindingBytes: number
}

let opened: OpenDevice | null = null
/** Searches that found no acceptable adapter, by whether software adapters were accepted. */
const failedSearches = new Map<boolean, { reasons: string[] }>()
/** The first asynchronous fault since the device opened (out of memory, validation, device lost). */
let fault: GpuFault | null = null

/** An asynchronous GPU fault. */
export interface GpuFault {
  readonly kind: 'out-of-memory' | 'lost' | 'error'
  readonly message: string
}

/** Registers the device's fault listeners. */
function watchFaults(device: GPUDevice): void {
  void device.lost.then((info) => {
    fault ??= { kind: 'lost', message: `the GPU device was lost (${info.reason}): ${firstLine(info.message) || 'no message'}` }
    opened = null
  })
  device.addEventListener('uncapturederror', (event) => {
    fault ??= faultOf((event as GPUUncapturedErrorEvent).error)
  })
}

/** An uncaptured GPU error as a fault: out of memory (by class or by message), or another error. */
export function faultOf(error: { message: string }): GpuFault {
  const message = firstLine(error.message)
  const oom = (typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError) || /out of memory|\bOOM\b/i.test(message)
  return { kind: oom ? 'out-of-memory' : 'error', message }
}

/**
 * The browser globals TF.js's WebGPU backend expects: `navigator.gpu` (read when it is constructed; Node ≤ 20
 * has no navigator at all) and the GPUBufferUsage / GPUMapMode / … constants, which Dawn provides.
 */
function installGlobals(gpu: GPU, dawnGlobals: object): void {
  const g = globalThis as Record<string, unknown> & { navigator?: object }
  for (const [name, value] of Object.entries(dawnGlobals)) if (!(name in g)) g[name] = value
  g.navigator ??= {}
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true })
}

/** Opens the device (once per thread) and registers the backend and the project's kernels. */
async function openDevice(options: FindAdapterOptions): Promise<OpenDevice | { reasons: string[] }> {
  if (opened) return opened
  // Adapters do not come and go within a thread's life: a search that found none is not repeated.
  const failed = failedSearches.get(options.allowSoftware)
  if (failed) return failed
  const found = await findAdapter(options)
  if ('reasons' in found) {
    if (!options.loadDawn) failedSearches.set(options.allowSoftware, found)
    return found
  }
  const requiredLimits: Record<string, number> = {}
  const limits = found.adapter.limits as unknown as Record<string, number>
  for (const name of raisedLimits) if (typeof limits[name] === 'number') requiredLimits[name] = limits[name]
  let device: GPUDevice
  try {
    // Timestamp queries let tf.profile time each kernel (the bench's --profile); TF.js uses them only then.
    const requiredFeatures: GPUFeatureName[] = found.adapter.features.has('timestamp-query') ? ['timestamp-query'] : []
    device = await withGpuInitLock(() => found.adapter.requestDevice({ requiredLimits, requiredFeatures }))
  } catch (e) {
    return { reasons: [`webgpu: ${found.facts.api}: the adapter refused a device (${firstLine(e)})`] }
  }
  fault = null
  watchFaults(device)
  // Imported before navigator.gpu exists, so the package does not register a backend of its own.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
  installGlobals(found.gpu, found.globals)
  if (tf.findBackend(WEBGPU) || tf.findBackendFactory(WEBGPU)) tf.removeBackend(WEBGPU)
  tf.registerBackend(WEBGPU, () => new WebGPUBackend(device, found.adapter.info), 3)
  registerProjectWebgpuKernels()
  opened = { device, facts: found.facts, maxBindingBytes: requiredLimits.maxStorageBufferBindingSize ?? 128 * 2 ** 20 }
  return opened
}

/** Options for {@link activateWebgpu}. */
export interface WebgpuOptions {
  /** Forced by the caller: a software adapter is then accepted with a warning. */
  readonly forced: boolean
  readonly loadDawn?: FindAdapterOptions['loadDawn']
}

/** Makes webgpu the active backend; returns its adapter or the reasons it could not. */
export async function activateWebgpu(options: WebgpuOptions): Promise<{ adapter: GpuAdapter; maxTensorBytes: number } | { reasons: string[] }> {
  const device = await openDevice({
    allowSoftware: options.forced,
    ...(options.loadDawn ? { loadDawn: options.loadDawn } : {}),
  })
  if ('reasons' in device) return device
  if (!options.forced && device.facts.software) return { reasons: ['webgpu: only a software adapter is open in this thread; --backend webgpu forces it'] }
  try {
    if (!(await tf.setBackend(WEBGPU))) return { reasons: ['webgpu: the backend failed to initialise'] }
  } catch (e) {
    return { reasons: [`webgpu: the backend failed to initialise (${firstLine(e)})`] }
  }
  return { adapter: device.facts, maxTensorBytes: device.maxBindingBytes }
}

/**
 * The fault the device reported since it opened, as an Error worded for the user (null: none). Out of
 * memory suggests a smaller batch or patch.
 */
export function webgpuFault(): Error | null {
  return fault ? faultError(fault) : null
}

/** The user's error for a fault. */
export function faultError(fault: GpuFault): Error {
  switch (fault.kind) {
    case 'out-of-memory':
      return new Error(`GPU out of memory (${fault.message}): try a smaller --batch or --slice-size / --patch`)
    case 'lost':
      return new Error(fault.message)
    case 'error':
      return new Error(`GPU error: ${fault.message}`)
    default: {
      const never: never = fault.kind
      return new Error(String(never))
    }
  }
}

/** Ends the device (tests of device loss; the process's next activation opens a new one). */
export function destroyWebgpuDevice(): void {
  opened?.device.destroy()
}
