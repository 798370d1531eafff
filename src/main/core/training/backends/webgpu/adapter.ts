/**
 * Finding a WebGPU adapter through Dawn's Node bindings (the `webgpu` package). Dawn's default backend is
 * the platform's native API (Vulkan on Linux, Metal on macOS, D3D12 on Windows); on Linux, when webgpu is
 * forced, OpenGL through EGL is tried next (a GPU whose Vulkan driver is missing, and Mesa's llvmpipe on
 * machines with no GPU) — only then, since Dawn's OpenGL path is safe in one thread of a process at a time
 * (process-gpu.ts). Software adapters compute on the CPU and are far slower than the wasm rung: they are only
 * taken when asked for (tests, `--backend webgpu`).
 */
import type { GpuAdapter } from '../../../../../shared/training'
import { firstLine } from '../first-line'
import { acquireGlSession, prepareGpuEnvironment, withGpuInitLock } from './process-gpu'

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

/** The attempts for this platform, in order (OpenGL only when asked for: see process-gpu.ts). */
function attemptsFor(platform: NodeJS.Platform, openGl: boolean): Attempt[] {
  const native: Attempt = {
    api: platform === 'darwin' ? 'metal' : platform === 'win32' ? 'd3d12' : 'vulkan',
    dawnOptions: [],
    request: { powerPreference: 'high-performance' },
    hint: platform === 'linux' ? "a Vulkan driver for the GPU and the Vulkan loader (Debian: libvulkan1 with the vendor's ICD)" : 'a GPU driver',
  }
  if (platform !== 'linux' || !openGl) return [native]
  // Dawn's OpenGL backend speaks GLES/GL through EGL and needs the 'compatibility' feature level.
  const opengl: Attempt = {
    api: 'opengl',
    dawnOptions: ['backend=opengl'],
    request: { featureLevel: 'compatibility', powerPreference: 'high-performance' },
    hint: 'EGL and an OpenGL driver (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri, or the GPU vendor\'s EGL), with EGL_PLATFORM=surfaceless on a machine without a display',
  }
  return [native, opengl]
}

/** Options for {@link findAdapter}. */
export interface FindAdapterOptions {
  /**
   * A forced `--backend webgpu` (tests, a user's explicit choice): accept a software adapter, and on Linux try
   * OpenGL through EGL after Vulkan (holding the process's OpenGL session: one thread at a time).
   */
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
  const openGl = platform === 'linux' && options.allowSoftware
  if (platform === 'linux') prepareGpuEnvironment()
  if (openGl && !options.loadDawn) await acquireGlSession()
  const found = await withGpuInitLock(() => searchAdapters(dawn, platform, options.allowSoftware, openGl))
  if ('reasons' in found && platform === 'linux' && !openGl) {
    found.reasons.push('webgpu: opengl: not tried without --backend webgpu (Dawn\'s OpenGL path is safe in only one thread of a process, so the ladder leaves it to an explicit choice)')
  }
  return found
}

/** Tries each API of the platform in turn (under the process's GPU-initialisation lock). */
async function searchAdapters(dawn: DawnModule, platform: NodeJS.Platform, allowSoftware: boolean, openGl: boolean): Promise<FoundAdapter | { reasons: string[] }> {
  const reasons: string[] = []
  let software: FoundAdapter | null = null
  for (const attempt of attemptsFor(platform, openGl)) {
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
    if (allowSoftware) {
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
