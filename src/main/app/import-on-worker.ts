// Runs a dataset import off the calling thread, so the server, the Electron main process and the CLI's
// progress bar and Ctrl+C stay live while the (synchronous) core reads every pair.
import type { DatasetSummary } from '../../shared/dataset'
import { importDataset } from '../core/datasets/import'
import type { Db } from '../core/store/database'
import { runJobWorker } from '../workers/job-worker'
import type { ImportJob, ImportPairRead } from './import-protocol'

export interface ImportRunOptions {
  /** Aborting stops the import before its next pair; the promise rejects with a CancelledError. */
  signal?: AbortSignal
  onProgress?: (done: number, total: number, caseId: string) => void
}

/** Runs one import job and resolves with the stored dataset. */
export type ImportRunner = (job: ImportJob, options: ImportRunOptions) => Promise<DatasetSummary>

/**
 * Imports on a worker thread with its own store connection. Cancelling sets a shared flag the worker polls
 * between pairs (it removes what it wrote and stores nothing).
 */
export const importOnWorker: ImportRunner = (job, options) =>
  runJobWorker<ImportJob, DatasetSummary, ImportPairRead>('import.worker', job, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => options.onProgress?.(p.done, p.total, p.caseId),
    what: `the import of ${job.options.name}`,
  })

/**
 * Imports on the calling thread through an open connection: for a store only this connection can see (':memory:'
 * in tests). The thread is busy meanwhile, so a cancel lands only if it was asked before the import started.
 */
export function importInThread(db: Db): ImportRunner {
  return async (job, options) =>
    importDataset({ db, workspace: job.workspace, onProgress: options.onProgress, shouldCancel: () => options.signal?.aborted === true }, job.options)
}
