import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { CancelledError, type ExecuteOptions } from '../core/execution'
import { fromErrorMessage, type FromWorker, type ToWorker } from './protocol'
import { startWorker, type WorkerEntry } from './worker-entry'

/** Worker count (default: one per core, at most the number of tasks), progress, and a signal whose abort terminates every worker at once. */
export type PoolOptions = ExecuteOptions

/**
 * Runs tasks on a pool of worker threads, each worker taking the next task when it finishes one, and
 * returns the results in task order. The first failing task stops the pool (the others are terminated)
 * and its error is rethrown; an input error keeps its file and problem.
 */
export function runPool<P, R>(entry: WorkerEntry, tasks: readonly P[], options: PoolOptions = {}): Promise<R[]> {
  const total = tasks.length
  if (total === 0) return Promise.resolve([])
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), total))
  const results = new Array<R>(total)
  const workers: Worker[] = []
  let next = 0
  let done = 0
  let settled = false

  return new Promise<R[]>((resolve, reject) => {
    const finish = (err?: unknown): void => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      // Settle only once every thread has stopped: a worker still writing its output file must not write
      // after the caller has cleaned up a cancelled or failed run.
      void Promise.allSettled(workers.map((w) => w.terminate())).then(() => (err === undefined ? resolve(results) : reject(err)))
    }
    const onAbort = (): void => finish(new CancelledError('cancelled'))
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const feed = (worker: Worker): void => {
      if (next >= total) return
      const id = next++
      const message: ToWorker<P> = { type: 'task', id, payload: tasks[id] as P }
      worker.postMessage(message)
    }
    for (let i = 0; i < count; i++) {
      const worker = startWorker(entry, {})
      workers.push(worker)
      worker.on('message', (m: FromWorker<R>) => {
        if (m.type === 'progress') return
        if (m.type === 'error') {
          return finish(fromErrorMessage(m))
        }
        results[m.id] = m.value
        done++
        options.onProgress?.(done, total)
        if (done === total) finish()
        else feed(worker)
      })
      worker.on('error', (err) => finish(err))
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`a worker thread exited with code ${code}`))
      })
      feed(worker)
    }
  })
}
