// The process-wide GPU lock: it serialises, it survives a holder that never releases it, and it keeps
// concurrent workers from crashing the process in Mesa's EGL (a child process opens webgpu in several
// workers at once, round after round; before the lock that ended in SIGSEGV).
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { forceWebgpuForSpec } from './parity.spec-helpers'
import { gpuInitLockBuffer, withGpuInitLock } from './process-gpu'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('withGpuInitLock', () => {
  it('lets one holder in at a time and releases on a throw', async () => {
    const events: string[] = []
    const hold = (name: string) => withGpuInitLock(async () => {
      events.push(`${name} in`)
      await sleep(30)
      events.push(`${name} out`)
    }, { pollMs: 5 })
    await Promise.all([hold('a'), hold('b'), hold('c')])
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]?.replace(' in', ' out'))
    await expect(withGpuInitLock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await withGpuInitLock(async () => 'free again')).toBe('free again')
  })

  it('takes over a lock whose holder never released it (a worker terminated mid-initialisation)', async () => {
    const cell = new Int32Array(gpuInitLockBuffer())
    Atomics.store(cell, 0, 999)
    const started = Date.now()
    expect(await withGpuInitLock(async () => 'taken', { staleMs: 100, pollMs: 10 })).toBe('taken')
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    expect(Atomics.load(cell, 0)).toBe(0)
  })
})

describe('several workers opening webgpu at once', () => {
  it('never crash the process', async (ctx) => {
    if (await forceWebgpuForSpec()) return ctx.skip()
    const workerEntry = fileURLToPath(new URL('../../../../workers/worker-entry.ts', import.meta.url))
    const worker = new URL('./test-open-device.worker.ts', import.meta.url).href
    const script = `
      import { startWorker, sourceWorkerEntry } from ${JSON.stringify(workerEntry)}
      for (let round = 0; round < 3; round++) {
        const barrier = new SharedArrayBuffer(4)
        const results = await Promise.all(Array.from({ length: 3 }, () => new Promise((resolve, reject) => {
          const w = startWorker(sourceWorkerEntry(new URL(${JSON.stringify(worker)})), { barrier, parties: 3 })
          let message
          w.on('message', (m) => (message = m))
          w.on('error', reject)
          w.on('exit', (code) => (code === 0 && message ? resolve(message) : reject(new Error('worker exit ' + code))))
        })))
        if (!results.every((r) => r.backend === 'webgpu' && r.sum === 16)) throw new Error(JSON.stringify(results))
      }
      console.log('all rounds done')
    `
    // A file, not -e: workers inherit the parent's execArgv, and --input-type refuses a worker's file entry.
    const file = join(mkdtempSync(join(tmpdir(), 'wb-gpu-lock-')), 'open-in-workers.mjs')
    writeFileSync(file, script)
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: fileURLToPath(new URL('../../../../../..', import.meta.url)) })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
    expect({ code, signal, done: out.includes('all rounds done') }, out.split('\n').filter((l) => !/^Warning|BackendVk|^\s*$|maxDynamic/.test(l)).slice(-8).join('\n')).toEqual({ code: 0, signal: null, done: true })
  }, 120_000)
})
