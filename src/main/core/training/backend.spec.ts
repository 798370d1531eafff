import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { probeBackends, selectBackend } from './backend'
import { nativePackages } from './backends/tensorflow/setup'
import { projectWasmKernelsRegistered } from './backends/wasm/register-kernels'

describe('selectBackend', () => {
  it('falls from the absent native packages past webgpu (no hardware adapter here) to wasm, with the project kernels, saying why', async () => {
    const choice = await selectBackend()
    expect(choice.name).toBe('wasm')
    expect(choice.adapter).toBeNull()
    // The default is the single-threaded build (backends/wasm/threads.spec.ts covers the threaded one).
    expect(choice.threads).toBe(1)
    expect(tf.getBackend()).toBe('wasm')
    expect(projectWasmKernelsRegistered()).toBe(true)
    nativePackages.forEach((pkg, i) => expect(choice.reasons[i]).toContain(pkg))
    // This machine has no GPU: webgpu finds nothing, or only a software adapter, which it must not take.
    const webgpu = choice.reasons.slice(nativePackages.length)
    expect(webgpu.length).toBeGreaterThan(0)
    for (const r of webgpu) expect(r).toMatch(/^webgpu: .*(no adapter|only a software adapter|did not load|not tried without --backend webgpu)/)
  })

  it('records a native package that loads but registers no backend here', async () => {
    const choice = await selectBackend({ importModule: async () => ({}) })
    expect(choice.name).toBe('wasm')
    expect(choice.reasons[0]).toMatch(/registered no 'tensorflow' backend/)
  })

  it('honours a forced cpu and a forced wasm', async () => {
    const cpu = await selectBackend({ force: 'cpu' })
    expect(cpu).toEqual({
      name: 'cpu',
      threads: 1,
      adapter: null,
      maxTensorBytes: null,
      reasons: [expect.stringMatching(/^tensorflow: skipped/), expect.stringMatching(/^webgpu: skipped/), expect.stringMatching(/^wasm: skipped/)],
    })
    expect(tf.getBackend()).toBe('cpu')
    expect((await selectBackend({ force: 'wasm' })).name).toBe('wasm')
  })

  it('fails with an input error when a forced backend is unavailable', async () => {
    const err = await selectBackend({ force: 'tensorflow' }).catch((e: unknown) => e)
    expect(isInputError(err)).toBe(true)
    expect(String(err)).toContain('@tensorflow/tfjs-node')
  })

  it('names the missing package when --backend webgpu cannot load Dawn, before anything runs', async () => {
    const err = await selectBackend({ force: 'webgpu', loadDawn: () => Promise.reject(new Error("Cannot find package 'webgpu'")) }).catch((e: unknown) => e)
    expect(isInputError(err)).toBe(true)
    expect(String(err)).toMatch(/--backend webgpu.*'webgpu' package.*Cannot find package/)
  })
})

describe('probeBackends', () => {
  it('reports each rung without activating one: here no native package, no hardware GPU, wasm chosen', async () => {
    const before = tf.getBackend()
    const probe = await probeBackends()
    expect(probe.rungs.map((r) => r.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu'])
    expect(probe.chosen).toBe('wasm')
    const webgpu = probe.rungs[1]
    expect(webgpu?.available).toBe(false)
    // With Mesa's EGL installed the software adapter is named; without it, what is missing is.
    if (webgpu?.adapter) expect(webgpu.adapter.software).toBe(true)
    else expect(webgpu?.detail.join(' ')).toMatch(/no adapter|did not load/)
    expect(tf.getBackend()).toBe(before)
  })
})
