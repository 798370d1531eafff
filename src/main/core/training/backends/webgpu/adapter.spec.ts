import { describe, expect, it } from 'vitest'
import { adapterFacts, findAdapter, isSoftwareAdapter, type DawnModule } from './adapter'

/** A stand-in for Dawn: each `create` options string maps to the adapter info it offers (null: none). */
function fakeDawn(offers: Record<string, Partial<GPUAdapterInfo> | null>, created: string[][] = []): () => Promise<DawnModule> {
  return async () => ({
    globals: {},
    create(options: string[]) {
      created.push(options)
      const info = offers[options.join(',')] ?? null
      return {
        requestAdapter: async () => (info ? ({ info, limits: {} } as unknown as GPUAdapter) : null),
      } as unknown as GPU
    },
  })
}

const llvmpipe = { vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' }
const hopper = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: 'NVIDIA: 550.54' }

describe('isSoftwareAdapter', () => {
  it('knows the CPU rasterisers by name or by the fallback flag, and real GPUs are not among them', () => {
    for (const device of ['llvmpipe (LLVM 15.0.6, 256 bits)', 'SwiftShader Device (Subzero)', 'lavapipe', 'Microsoft Basic Render Driver']) {
      expect(isSoftwareAdapter({ device }), device).toBe(true)
    }
    expect(isSoftwareAdapter({ description: 'Mesa softpipe' })).toBe(true)
    expect(isSoftwareAdapter({ vendor: 'intel', isFallbackAdapter: true })).toBe(true)
    for (const info of [hopper, { vendor: 'apple', architecture: 'metal-3', device: 'Apple M2' }, { vendor: 'amd', architecture: 'rdna-3', device: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' }]) {
      expect(isSoftwareAdapter(info), info.device).toBe(false)
    }
  })

  it('keeps the api and the driver strings in the facts', () => {
    expect(adapterFacts('opengl', llvmpipe as GPUAdapterInfo)).toEqual({ api: 'opengl', ...llvmpipe, software: true })
  })
})

describe('findAdapter', () => {
  it('takes a hardware Vulkan adapter first on Linux', async () => {
    const created: string[][] = []
    const found = await findAdapter({ allowSoftware: false, platform: 'linux', loadDawn: fakeDawn({ '': hopper, 'backend=opengl': llvmpipe }, created) })
    expect('facts' in found && found.facts).toMatchObject({ api: 'vulkan', vendor: 'nvidia', software: false })
    expect(created).toEqual([[]])
  })

  it('tries OpenGL only when webgpu is forced: a hardware GL adapter then, none by the ladder itself', async () => {
    const offers = { '': null, 'backend=opengl': hopper }
    const forced = await findAdapter({ allowSoftware: true, platform: 'linux', loadDawn: fakeDawn(offers) })
    expect('facts' in forced && forced.facts.api).toBe('opengl')
    const created: string[][] = []
    const ladder = await findAdapter({ allowSoftware: false, platform: 'linux', loadDawn: fakeDawn(offers, created) })
    expect('reasons' in ladder && ladder.reasons).toEqual([
      expect.stringMatching(/^webgpu: vulkan: no adapter \(needs a Vulkan driver/),
      expect.stringMatching(/^webgpu: opengl: not tried without --backend webgpu/),
    ])
    expect(created).toEqual([[]])
  })

  it('never takes a software adapter by itself, and says what each API lacked', async () => {
    const found = await findAdapter({ allowSoftware: false, platform: 'linux', loadDawn: fakeDawn({ '': { device: 'llvmpipe (LLVM 15.0.6, 256 bits)' } }) })
    expect('reasons' in found && found.reasons).toEqual([
      expect.stringMatching(/^webgpu: vulkan: only a software adapter \(llvmpipe.*never chosen by itself; --backend webgpu forces it/),
      expect.stringMatching(/^webgpu: opengl: not tried/),
    ])
  })

  it('takes the software adapter when allowed (a forced --backend webgpu)', async () => {
    const found = await findAdapter({ allowSoftware: true, platform: 'linux', loadDawn: fakeDawn({ '': null, 'backend=opengl': llvmpipe }) })
    expect('facts' in found && found.facts).toMatchObject({ api: 'opengl', software: true })
  })

  it('asks only the native API on macOS and Windows', async () => {
    const created: string[][] = []
    const mac = await findAdapter({ allowSoftware: false, platform: 'darwin', loadDawn: fakeDawn({ '': null }, created) })
    expect('reasons' in mac && mac.reasons).toEqual([expect.stringMatching(/^webgpu: metal: no adapter/)])
    const win = await findAdapter({ allowSoftware: false, platform: 'win32', loadDawn: fakeDawn({ '': { vendor: 'amd', device: 'Radeon' } }, created) })
    expect('facts' in win && win.facts.api).toBe('d3d12')
    expect(created).toEqual([[], []])
  })
})
