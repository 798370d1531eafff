import type { ImportOptions } from '../../shared/dataset'

/** What an import worker needs: its own connection to the store (by path) and the import's options. */
export interface ImportJob {
  dbPath: string
  workspace: string
  options: ImportOptions
}

/** An import worker's progress: pairs read so far and the last one's case id (the UI's event, ImportProgress in shared/dataset.ts, adds the name and phase). */
export interface ImportPairRead {
  done: number
  total: number
  caseId: string
}
