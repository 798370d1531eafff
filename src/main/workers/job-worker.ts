// One job on its own worker thread, cancellable: the shape the training and the dataset-import runners share.
import { CancelledError } from '../core/execution'
import { fromErrorMessage, type ErrorMessage } from './protocol'
import { startWorker, workerEntry } from './worker-entry'
import type { WorkerName } from './worker-files'

/** How long a cancelled worker gets to finish its step (or pair) and report before it is terminated. */
export const CANCEL_GRACE_MS = 30_000

/** The messages every job worker ends with; progress messages are the job's own. */
export type JobEndMessage<R> =
  | { type: 'result'; value: R }
  | { type: 'cancelled'; message?: string }
  | ({ type: 'error' } & ErrorMessage)

export interface JobWorkerOptions<P> {
  /** Aborting sets the shared flag the worker polls; the promise rejects with a CancelledError. */
  signal?: AbortSignal
  onProgress?: (progress: P) => void
  /** Names the job in the errors of a worker that had to be terminated or that died ("the import of x"). */
  what: string
  /** Overrides the grace period (tests). */
  graceMs?: number
}

/**
 * Runs `job` on the named worker with a SharedArrayBuffer cancel flag (`workerData: { job, cancelFlag }`).
 * The worker posts `{ type: 'progress', progress }` messages and ends with one JobEndMessage; an input error
 * keeps its file and problem. A worker that does not stop within the grace period after a cancel, or that
 * dies, is terminated and reported as such.
 */
export function runJobWorker<J, R, P>(name: WorkerName, job: J, options: JobWorkerOptions<P>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const cancelFlag = new SharedArrayBuffer(4)
    const worker = startWorker(workerEntry(name), { job, cancelFlag })
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const settle = (outcome: { value: R } | { error: unknown }): void => {
      if (settled) return
      settled = true
      clearTimeout(grace)
      options.signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      if ('value' in outcome) resolve(outcome.value)
      else reject(outcome.error)
    }
    const onAbort = (): void => {
      Atomics.store(new Int32Array(cancelFlag), 0, 1)
      const terminated = new CancelledError(`${options.what} was cancelled (its worker did not stop in time and was terminated)`)
      grace = setTimeout(() => settle({ error: terminated }), options.graceMs ?? CANCEL_GRACE_MS)
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: JobEndMessage<R> | { type: 'progress'; progress: P }) => {
      if (m.type === 'progress') options.onProgress?.(m.progress)
      else if (m.type === 'result') settle({ value: m.value })
      else if (m.type === 'cancelled') settle({ error: new CancelledError(m.message ?? 'cancelled') })
      else settle({ error: fromErrorMessage(m) })
    })
    worker.on('error', (err) => settle({ error: err }))
    worker.on('exit', (code) => settle({ error: new Error(`the worker for ${options.what} exited (code ${code}) before it finished`) }))
  })
}
