// Runs a dataset import off the calling thread, so the server, the Electron main process and the CLI's
// progress bar and Ctrl+C stay live while the (synchronous) core reads every pair.
import type { DatasetSummary } from '../../shared/dataset'
import { InputError } from '../../shared/errors'
import { importDataset } from '../core/datasets/import'
import { CancelledError } from '../core/execution'
import type { Db } from '../core/store/database'
import { startWorker, workerEntry } from '../workers/worker-entry'
import type { ImportJob, ImportWorkerMessage } from './import-protocol'

/** How long a cancelled import gets to finish the pair it is reading and clean up before it is terminated. */
const CANCEL_GRACE_MS = 30_000

export interface ImportRunOptions {
  /** Aborting stops the import before its next pair; the promise rejects with a CancelledError. */
  signal?: AbortSignal
  onProgress?: (done: number, total: number, caseId: string) => void
}

/** Runs one import job and resolves with the stored dataset. */
export type ImportRunner = (job: ImportJob, options: ImportRunOptions) => Promise<DatasetSummary>

/**
 * Imports on a worker thread with its own store connection. Cancelling sets a shared flag the worker polls
 * between pairs (it removes what it wrote and stores nothing); a worker that does not stop within the grace
 * period, or that dies, is terminated and reported as such.
 */
export const importOnWorker: ImportRunner = (job, options) =>
  new Promise<DatasetSummary>((resolve, reject) => {
    const cancelFlag = new SharedArrayBuffer(4)
    const worker = startWorker(workerEntry('import.worker'), { job, cancelFlag })
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const settle = (err: unknown, summary?: DatasetSummary): void => {
      if (settled) return
      settled = true
      clearTimeout(grace)
      options.signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (err === null && summary) resolve(summary)
      else reject(err)
    }
    const onAbort = (): void => {
      Atomics.store(new Int32Array(cancelFlag), 0, 1)
      grace = setTimeout(() => settle(new CancelledError(`the import of ${job.options.name} was cancelled (its worker did not stop in time and was terminated)`)), CANCEL_GRACE_MS)
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: ImportWorkerMessage) => {
      if (m.type === 'progress') options.onProgress?.(m.done, m.total, m.caseId)
      else if (m.type === 'result') settle(null, m.summary)
      else if (m.type === 'cancelled') settle(new CancelledError(m.message))
      else settle(m.source !== undefined && m.problem !== undefined ? new InputError(m.source, m.problem) : new Error(m.message))
    })
    worker.on('error', (err) => settle(err))
    worker.on('exit', (code) => settle(new Error(`the import worker exited (code ${code}) before it finished`)))
  })

/**
 * Imports on the calling thread through an open connection: for a store only this connection can see (':memory:'
 * in tests). The thread is busy meanwhile, so a cancel lands only if it was asked before the import started.
 */
export function importInThread(db: Db): ImportRunner {
  return async (job, options) =>
    importDataset({ db, workspace: job.workspace, onProgress: options.onProgress, shouldCancel: () => options.signal?.aborted === true }, job.options)
}
