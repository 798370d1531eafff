import { describe, expect, it } from 'vitest'
import type { BackendProbe, GpuAdapter, TrainBackend } from '../../../shared/training'
import { computeChoiceLabel, computeChoices, computeLine, rungLines, softwareAdapterNote, stepsOnLine } from './compute'

const llvmpipe: GpuAdapter = { api: 'opengl', vendor: '', architecture: '', device: 'llvmpipe', description: 'Mesa 22.3.6', software: true }
const nvidia: GpuAdapter = { api: 'vulkan', vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100', description: '', software: false }
const tensorflowMissing = [
  "@tensorflow/tfjs-node-gpu: not loadable (Cannot find package '@tensorflow/tfjs-node-gpu' imported from /app/setup.js)",
  "@tensorflow/tfjs-node: not loadable (Cannot find package '@tensorflow/tfjs-node' imported from /app/setup.js)",
]

/** A probe as probeBackends reports it, with the webgpu rung and the chosen rung given. */
function probe(webgpu: { adapter: GpuAdapter | null; detail: string[] }, tensorflow: string[] = tensorflowMissing): BackendProbe {
  const webgpuAvailable = webgpu.adapter !== null && !webgpu.adapter.software
  const tensorflowAvailable = tensorflow.some((d) => d.endsWith(' loads'))
  const chosen: TrainBackend = tensorflowAvailable ? 'tensorflow' : webgpuAvailable ? 'webgpu' : 'wasm'
  return {
    rungs: [
      { name: 'tensorflow', available: tensorflowAvailable, adapter: null, detail: tensorflow },
      { name: 'webgpu', available: webgpuAvailable, ...webgpu },
      { name: 'wasm', available: true, adapter: null, detail: ['WebAssembly (XNNPACK, SIMD) on the CPU'] },
      { name: 'cpu', available: true, adapter: null, detail: ['plain JavaScript: correct, but far too slow to train'] },
    ],
    chosen,
  }
}

const noAdapter = probe({
  adapter: null,
  detail: ['webgpu: vulkan: no adapter (needs a Vulkan driver)', 'webgpu: opengl: no adapter (needs EGL)'],
})
const softwareOnly = probe({ adapter: llvmpipe, detail: ['only a software adapter, llvmpipe (opengl, software): taken only with --backend webgpu'] })
const gpu = probe({ adapter: nvidia, detail: ['GPU adapter nvidia hopper NVIDIA H100 (vulkan)'] })

describe('the Compute select', () => {
  it('offers Automatic, then webgpu, wasm, cpu and tensorflow', () => {
    expect(computeChoices.map((c) => c.value)).toEqual([null, 'webgpu', 'wasm', 'cpu', 'tensorflow'])
  })

  it('marks the backends this machine lacks, and a webgpu that has only a software adapter', () => {
    expect(computeChoiceLabel(null, noAdapter)).toBe('Automatic (fastest available)')
    expect(computeChoiceLabel('webgpu', noAdapter)).toBe('webgpu — GPU (no hardware adapter found)')
    expect(computeChoiceLabel('webgpu', softwareOnly)).toBe('webgpu — GPU (software adapter only)')
    expect(computeChoiceLabel('webgpu', gpu)).toBe('webgpu — GPU')
    expect(computeChoiceLabel('tensorflow', gpu)).toBe('tensorflow — native TensorFlow (not available here)')
    expect(computeChoiceLabel('wasm', undefined)).toBe('wasm — CPU, WebAssembly')
  })
})

describe('the compute line for Automatic', () => {
  it('names the GPU adapter when the ladder takes webgpu', () => {
    expect(computeLine(gpu, null)).toEqual({ text: 'GPU: nvidia hopper NVIDIA H100 (vulkan); training runs on webgpu (GPU)', tone: 'ok' })
  })

  it('says why there is no GPU and that wasm trains', () => {
    expect(computeLine(noAdapter, null)).toEqual({
      text: 'No GPU adapter found — vulkan: no adapter (needs a Vulkan driver); opengl: no adapter (needs EGL); training runs on wasm (CPU)',
      tone: 'ok',
    })
    expect(computeLine(softwareOnly, null).text).toBe('No hardware GPU adapter found — only a software one, llvmpipe (opengl, software); training runs on wasm (CPU)')
  })

  it('names the native package when the ladder takes tensorflow', () => {
    const native = probe({ adapter: nvidia, detail: [] }, ['@tensorflow/tfjs-node-gpu: not loadable (x)', '@tensorflow/tfjs-node loads'])
    expect(computeLine(native, null).text).toBe('TensorFlow: @tensorflow/tfjs-node loads; training runs on tensorflow (native)')
  })

  it('adds the software-adapter note only where the only adapter is a software one', () => {
    expect(softwareAdapterNote(softwareOnly)).toMatch(/correct, but slower than wasm, so training uses it only when Compute is set to webgpu/)
    expect(softwareAdapterNote(noAdapter)).toBeNull()
    expect(softwareAdapterNote(gpu)).toBeNull()
  })
})

describe('the compute line for a chosen backend', () => {
  it('says what it runs on, warning for a software adapter and for cpu', () => {
    expect(computeLine(softwareOnly, 'webgpu')).toEqual({ text: 'Software adapter: llvmpipe (opengl, software); training runs on webgpu, slower than on wasm', tone: 'warn' })
    expect(computeLine(gpu, 'webgpu').tone).toBe('ok')
    expect(computeLine(gpu, 'wasm')).toEqual({ text: 'Training runs on wasm — WebAssembly (XNNPACK, SIMD) on the CPU', tone: 'ok' })
    expect(computeLine(gpu, 'cpu')).toEqual({ text: 'Training runs on cpu — plain JavaScript: correct, but far too slow to train', tone: 'warn' })
  })

  it('says a missing backend fails the run, with the reasons in short; a forced webgpu searches again at its start', () => {
    expect(computeLine(noAdapter, 'webgpu')).toEqual({
      text: 'No hardware GPU adapter found here — vulkan: no adapter (needs a Vulkan driver); opengl: no adapter (needs EGL). A run on webgpu searches again at its start, software adapters included (slower than wasm), and fails there if none opens.',
      tone: 'warn',
    })
    expect(computeLine(gpu, 'tensorflow').text).toBe(
      'tensorflow is not available here — @tensorflow/tfjs-node-gpu: not loadable; @tensorflow/tfjs-node: not loadable. A run with it fails at its start.',
    )
  })

  it('lists every rung with its full detail for the disclosure', () => {
    expect(rungLines(softwareOnly).map((r) => [r.name, r.available])).toEqual([['tensorflow', false], ['webgpu', false], ['wasm', true], ['cpu', true]])
    expect(rungLines(noAdapter)[0]?.text).toContain("Cannot find package '@tensorflow/tfjs-node-gpu'")
  })
})

describe('what a finished run trained on', () => {
  it('names the adapter of a webgpu run and the threads of the others', () => {
    expect(stepsOnLine({ steps: 5, backend: 'webgpu', adapter: llvmpipe, threads: 1 })).toBe('5 steps on webgpu — llvmpipe (opengl, software)')
    expect(stepsOnLine({ steps: 5, backend: 'wasm', adapter: null, threads: 2 })).toBe('5 steps on wasm (2 threads)')
    expect(stepsOnLine({ steps: 1, backend: 'cpu', adapter: null, threads: 1 })).toBe('1 step on cpu (1 thread)')
  })
})
