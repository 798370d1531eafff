import type { DatasetSummary, ImportOptions } from '../../shared/dataset'

/** What an import worker needs: its own connection to the store (by path) and the import's options. */
export interface ImportJob {
  dbPath: string
  workspace: string
  options: ImportOptions
}

/** Messages from an import worker to the thread that started it. */
export type ImportWorkerMessage =
  | { type: 'progress'; done: number; total: number; caseId: string }
  | { type: 'result'; summary: DatasetSummary }
  | { type: 'cancelled'; message: string }
  | { type: 'error'; message: string; source?: string; problem?: string }
