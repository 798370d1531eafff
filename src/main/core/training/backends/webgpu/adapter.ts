/**
 * Finding a WebGPU adapter through Dawn's Node bindings (the `webgpu` package). Dawn's default backend is
 * the platform's native API (Vulkan on Linux, Metal on macOS, D3D12 on Windows); on Linux, OpenGL through
 * EGL is tried next (a GPU whose Vulkan driver is missing, and Mesa's llvmpipe on machines with no GPU).
 * Software adapters compute on the CPU and are far slower than the wasm rung: they are only taken when
 * asked for (tests, `--backend webgpu`).
 */
import { isMainThread } from 'node:worker_threads'
import type { GpuAdapter } from '../../../../../shared/training'
import { firstLine } from '../first-line'

/** The part of the `webgpu` package this module uses. */
export interface DawnModule {
  create(options: string[]): GPU
  globals: object
}

/** An adapter with what the driver says of it. */
export interface FoundAdapter {
  readonly gpu: GPU
  /** Dawn's GPU* classes and constants (GPUBufferUsage, …) for the global scope. */
  readonly globals: object
  readonly adapter: GPUAdapter
  readonly facts: GpuAdapter
}

/** Names CPU rasterisers give themselves in vendor, architecture, device or description strings. */
const softwarePattern = /llvmpipe|softpipe|lavapipe|swiftshader|software|basic render driver|microsoft basic|\bwarp\b/i

/** True when the adapter is a CPU rasteriser (by its own flag or its name). */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter === true) return true
  return [info.vendor, info.architecture, info.device, info.description].some((s) => typeof s === 'string' && softwarePattern.test(s))
}

/** The facts of an adapter found through Dawn backend `api`. */
export function adapterFacts(api: string, info: GPUAdapterInfo | undefined): GpuAdapter {
  const i = (info ?? {}) as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }
  const text = (v: unknown): string => (typeof v === 'string' ? v : '')
  const facts = { vendor: text(i.vendor), architecture: text(i.architecture), device: text(i.device), description: text(i.description) }
  return { api, ...facts, software: isSoftwareAdapter({ ...facts, ...(i.isFallbackAdapter === undefined ? {} : { isFallbackAdapter: i.isFallbackAdapter }) }) }
}

/** One way of asking Dawn for an adapter. */
interface Attempt {
  readonly api: string
  readonly dawnOptions: string[]
  readonly request: GPURequestAdapterOptions & { featureLevel?: string }
  /** What to check when this attempt finds nothing. */
  readonly hint: string
}

/** The attempts for this platform, in order. */
function attemptsFor(platform: NodeJS.Platform): Attempt[] {
  const native: Attempt = {
    api: platform === 'darwin' ? 'metal' : platform === 'win32' ? 'd3d12' : 'vulkan',
    dawnOptions: [],
    request: { powerPreference: 'high-performance' },
    hint: platform === 'linux' ? "a Vulkan driver for the GPU and the Vulkan loader (Debian: libvulkan1 with the vendor's ICD)" : 'a GPU driver',
  }
  if (platform !== 'linux') return [native]
  // Dawn's OpenGL backend speaks GLES/GL through EGL and needs the 'compatibility' feature level.
  const opengl: Attempt = {
    api: 'opengl',
    dawnOptions: ['backend=opengl'],
    request: { featureLevel: 'compatibility', powerPreference: 'high-performance' },
    hint: 'EGL and an OpenGL driver (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri, or the GPU vendor\'s EGL), with EGL_PLATFORM=surfaceless on a machine without a display',
  }
  return [native, opengl]
}

/**
 * Sets what Dawn's OpenGL path needs in the process environment: on Linux without a display, Mesa's EGL must
 * be told to run surfaceless (EGL_PLATFORM), or it fails to initialise. The C environment is the process's:
 * only the main thread's process.env writes reach it (a worker's are its own copy), so whoever starts the
 * training workers calls this first; a value the user set is kept.
 */
export function prepareGpuEnvironment(): void {
  if (process.platform !== 'linux' || !isMainThread) return
  if (process.env.EGL_PLATFORM !== undefined || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return
  process.env.EGL_PLATFORM = 'surfaceless'
}

/** Options for {@link findAdapter}. */
export interface FindAdapterOptions {
  /** Accept a software adapter (forced `--backend webgpu`, tests). */
  readonly allowSoftware: boolean
  /** Loads the `webgpu` package; a seam for tests. */
  readonly loadDawn?: () => Promise<DawnModule>
  readonly platform?: NodeJS.Platform
}

/** The first adapter the options accept, or the reasons (one a line) why none was. */
export async function findAdapter(options: FindAdapterOptions): Promise<FoundAdapter | { reasons: string[] }> {
  const platform = options.platform ?? process.platform
  let dawn: DawnModule
  try {
    dawn = await (options.loadDawn ?? loadDawnPackage)()
  } catch (e) {
    return { reasons: [`webgpu: the 'webgpu' package (Dawn's Node bindings) did not load (${firstLine(e)})`] }
  }
  if (platform === 'linux') prepareGpuEnvironment()
  const reasons: string[] = []
  let software: FoundAdapter | null = null
  for (const attempt of attemptsFor(platform)) {
    let gpu: GPU
    let adapter: GPUAdapter | null
    try {
      gpu = dawn.create(attempt.dawnOptions)
      adapter = await gpu.requestAdapter(attempt.request)
    } catch (e) {
      reasons.push(`webgpu: ${attempt.api}: ${firstLine(e)}`)
      continue
    }
    if (!adapter) {
      reasons.push(`webgpu: ${attempt.api}: no adapter (needs ${attempt.hint})`)
      continue
    }
    const facts = adapterFacts(attempt.api, adapter.info)
    if (!facts.software) return { gpu, globals: dawn.globals, adapter, facts }
    if (options.allowSoftware) {
      software ??= { gpu, globals: dawn.globals, adapter, facts }
      continue
    }
    reasons.push(`webgpu: ${attempt.api}: only a software adapter (${facts.device || facts.description}), which is slower than wasm and never chosen by itself; --backend webgpu forces it`)
  }
  return software ?? { reasons }
}

/** Loads Dawn's bindings (an N-API addon: the same file loads in Node and in Electron's main process). */
async function loadDawnPackage(): Promise<DawnModule> {
  const mod = (await import('webgpu')) as unknown as DawnModule
  return mod
}
