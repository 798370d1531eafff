import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { nativePackages, selectBackend } from './backend'
import { projectWasmKernelsRegistered } from './kernels/register'

describe('selectBackend', () => {
  it('falls from the absent native packages to wasm, with the project kernels, saying why', async () => {
    const choice = await selectBackend()
    expect(choice.name).toBe('wasm')
    // The default is the single-threaded build (wasm-threads.spec.ts covers the threaded one).
    expect(choice.threads).toBe(1)
    expect(tf.getBackend()).toBe('wasm')
    expect(projectWasmKernelsRegistered()).toBe(true)
    expect(choice.reasons).toHaveLength(nativePackages.length)
    nativePackages.forEach((pkg, i) => expect(choice.reasons[i]).toContain(pkg))
  })

  it('records a native package that loads but registers no backend here', async () => {
    const choice = await selectBackend({ importModule: async () => ({}) })
    expect(choice.name).toBe('wasm')
    expect(choice.reasons[0]).toMatch(/registered no 'tensorflow' backend/)
  })

  it('honours a forced cpu and a forced wasm', async () => {
    const cpu = await selectBackend({ force: 'cpu' })
    expect(cpu).toEqual({ name: 'cpu', threads: 1, reasons: [expect.stringMatching(/^tensorflow: skipped/), expect.stringMatching(/^wasm: skipped/)] })
    expect(tf.getBackend()).toBe('cpu')
    expect((await selectBackend({ force: 'wasm' })).name).toBe('wasm')
  })

  it('fails with an input error when a forced backend is unavailable', async () => {
    const err = await selectBackend({ force: 'tensorflow' }).catch((e: unknown) => e)
    expect(isInputError(err)).toBe(true)
    expect(String(err)).toContain('@tensorflow/tfjs-node')
  })
})
