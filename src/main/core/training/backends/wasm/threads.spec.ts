// The threaded wasm build in Node: it starts with the asked-for thread count, computes what the cpu backend
// and the single-threaded build compute, leaves the globals it borrowed as they were, and lets Node exit.
import { spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../../random/rng'
import { selectBackend } from '../../backend'
import { configureWasm } from './setup'
import { randomArg, relativeError } from '../../kernels/finite-difference'
import { maxWasmThreads, resolveWasmThreads, sharedWasmMemorySupported, wasmThreadsInUse } from './threads'

const RealBlob = globalThis.Blob
const realCreateObjectURL = URL.createObjectURL
const realCpuCount = cpus().length

beforeAll(async () => {
  configureWasm({ threads: 2 })
  expect(await tf.setBackend('wasm')).toBe(true)
})

describe('resolveWasmThreads', () => {
  it('maps 0 to the cores, caps at the pthread pool and refuses negatives', () => {
    expect(resolveWasmThreads(0, 2)).toBe(2)
    expect(resolveWasmThreads(0, 64)).toBe(maxWasmThreads)
    expect(resolveWasmThreads(1, 16)).toBe(1)
    expect(resolveWasmThreads(3, 1)).toBe(3)
    expect(() => resolveWasmThreads(-1)).toThrow(/whole number/)
  })
})

describe('the threaded wasm build', () => {
  it('runs on two threads and restores Blob, URL.createObjectURL and os.cpus', async () => {
    expect(sharedWasmMemorySupported()).toBe(true)
    expect(wasmThreadsInUse()).toBe(2)
    expect((await selectBackend({ force: 'wasm', threads: 2 })).threads).toBe(2)
    expect(globalThis.Blob).toBe(RealBlob)
    expect(URL.createObjectURL).toBe(realCreateObjectURL)
    expect(cpus()).toHaveLength(realCpuCount)
    expect((createRequire(import.meta.url)('node:worker_threads') as { Worker: unknown }).Worker).toBe(Worker)
  })

  it('computes a convolution and its project-kernel gradients as the cpu backend does', async () => {
    const rng = createRng(3)
    const x = randomArg(rng, [4, 12, 12, 8])
    const f = randomArg(rng, [3, 3, 8, 16])
    const run = () =>
      tf.tidy(() => {
        const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same'))([tf.tensor(x.data, x.shape), tf.tensor(f.data, f.shape)])
        const y = tf.conv2d(tf.tensor4d(x.data, x.shape as [number, number, number, number]), tf.tensor4d(f.data, f.shape as [number, number, number, number]), 1, 'same')
        return [y, gx!, gf!].map((t) => t.dataSync() as Float32Array)
      })
    const threaded = run()
    await tf.setBackend('cpu')
    const reference = run()
    await tf.setBackend('wasm')
    threaded.forEach((v, i) => expect(relativeError(v, reference[i]!), `output ${i}`).toBeLessThan(1e-5))
  })
})

/** Runs a child Node that trains a conv on wasm with `threads`; resolves its exit code, output and time. */
function child(threads: number): Promise<{ code: number | null; out: string; ms: number }> {
  const backend = fileURLToPath(new URL('../../backend.ts', import.meta.url))
  const script = `
    import * as tf from '@tensorflow/tfjs'
    import { selectBackend } from ${JSON.stringify(backend)}
    const choice = await selectBackend({ force: 'wasm', threads: ${threads} })
    const x = tf.tensor4d(Array.from({ length: 2 * 10 * 10 * 4 }, (_, i) => Math.sin(i)), [2, 10, 10, 4])
    const f = tf.variable(tf.tensor4d(Array.from({ length: 3 * 3 * 4 * 8 }, (_, i) => Math.cos(i) / 10), [3, 3, 4, 8]))
    const opt = tf.train.adam(0.01)
    for (let i = 0; i < 3; i++) opt.minimize(() => tf.mean(tf.square(tf.conv2d(x, f, 1, 'same'))), false, [f])
    console.log(JSON.stringify({ threads: choice.threads, f: Array.from(f.dataSync()) }))
  `
  return new Promise((resolve) => {
    const start = Date.now()
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../../../..', import.meta.url)) })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, ms: Date.now() - start })
    })
  })
}

describe('a process that trains on threaded wasm', () => {
  it('exits by itself, with the same weights as a single-threaded process', async () => {
    const [one, two] = await Promise.all([child(1), child(2)])
    expect(one.code).toBe(0)
    expect(two.code).toBe(0)
    const a = JSON.parse(one.out.trim().split('\n').pop()!) as { threads: number; f: number[] }
    const b = JSON.parse(two.out.trim().split('\n').pop()!) as { threads: number; f: number[] }
    expect([a.threads, b.threads]).toEqual([1, 2])
    expect(relativeError(b.f, a.f)).toBeLessThan(1e-5)
  })
})
