import { describe, expect, it } from 'vitest'
import { CancelledError } from '../core/execution'
import { runPool } from './pool'
import { sourceWorkerEntry } from './worker-entry'

const echo = sourceWorkerEntry(new URL('./test-echo.worker.ts', import.meta.url))

describe('runPool', () => {
  it('runs every task on worker threads and returns results in task order', async () => {
    const seen: number[] = []
    const tasks = Array.from({ length: 7 }, (_, i) => ({ value: i, delayMs: (7 - i) * 5 }))
    const results = await runPool<typeof tasks[number], { doubled: number; thread: number }>(echo, tasks, {
      workers: 2,
      onProgress: (done) => seen.push(done),
    })
    expect(results.map((r) => r.doubled)).toEqual([0, 2, 4, 6, 8, 10, 12])
    expect(new Set(results.map((r) => r.thread)).size).toBe(2)
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('rethrows an input error with its source and problem', async () => {
    await expect(runPool(echo, [{ value: 1, delayMs: 0 }, { value: -1, delayMs: 0 }], { workers: 2 })).rejects.toMatchObject({
      name: 'InputError',
      source: 'task -1',
      problem: 'negative values are refused',
    })
  })

  it('stops at once when cancelled', async () => {
    const controller = new AbortController()
    const started = Date.now()
    const run = runPool(echo, [{ value: 1, delayMs: 10_000 }], { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
