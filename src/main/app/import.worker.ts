// Worker thread: imports one dataset folder (a thin wrapper around the core's importDataset). It opens its own
// store connection (better-sqlite3 connections belong to one thread; the store's WAL journal and busy timeout
// let it write beside the main thread's). See serve-job.ts for the messages.
import type { DatasetSummary } from '../../shared/dataset'
import { importDataset } from '../core/datasets/import'
import { openDatabase } from '../core/store/database'
import { serveJob } from '../workers/serve-job'
import type { ImportJob, ImportPairRead } from './import-protocol'

await serveJob<ImportJob, DatasetSummary, ImportPairRead>('import.worker', (job, hooks) => {
  const db = openDatabase(job.dbPath)
  try {
    return importDataset(
      { db, workspace: job.workspace, onProgress: (done, total, caseId) => hooks.onProgress({ done, total, caseId }), shouldCancel: hooks.isCancelled },
      job.options,
    )
  } finally {
    db.close()
  }
})
