// Worker thread: imports one dataset folder (a thin wrapper around the core's importDataset). It opens its own
// store connection (better-sqlite3 connections belong to one thread; the store's WAL journal and busy timeout
// let it write beside the main thread's). The job and a shared cancel flag arrive in workerData; progress, the
// summary or the error go back as messages.
import { parentPort, workerData } from 'node:worker_threads'
import { isInputError } from '../../shared/errors'
import { importDataset } from '../core/datasets/import'
import { CancelledError } from '../core/execution'
import { openDatabase } from '../core/store/database'
import type { ImportJob, ImportWorkerMessage } from './import-protocol'

const port = parentPort
if (!port) throw new Error('import.worker must run inside a worker thread')
const { job, cancelFlag } = workerData as { job: ImportJob; cancelFlag: SharedArrayBuffer }
const flag = new Int32Array(cancelFlag)
const send = (m: ImportWorkerMessage): void => port.postMessage(m)

try {
  const db = openDatabase(job.dbPath)
  try {
    const summary = importDataset(
      {
        db,
        workspace: job.workspace,
        onProgress: (done, total, caseId) => send({ type: 'progress', done, total, caseId }),
        shouldCancel: () => Atomics.load(flag, 0) === 1,
      },
      job.options,
    )
    send({ type: 'result', summary })
  } finally {
    db.close()
  }
} catch (err) {
  if (err instanceof CancelledError) send({ type: 'cancelled', message: err.message })
  else if (isInputError(err)) send({ type: 'error', message: err.message, source: err.source, problem: err.problem })
  else send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
}
