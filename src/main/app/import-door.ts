// The UI's side of dataset imports (datasets:import, datasets:import-cancel): each import runs on a worker
// thread so the server never blocks, can be cancelled by its dataset name, and pushes `datasetImport` events.
import type { ApiInput, ApiOutput } from '../../shared/api'
import type { ImportProgress } from '../../shared/dataset'
import { CancelledError } from '../core/execution'
import type { Db } from '../core/store/database'
import { cancelledInPlainWords, createCancelRegistry } from './cancel-registry'
import { importInThread, importOnWorker, type ImportRunner } from './import-on-worker'

export interface ImportDoorOptions {
  db: Db
  /** The store's file; the worker opens its own connection to it. ':memory:' imports on this thread through `db`. */
  dbPath: string
  workspace: string
  emit: (progress: ImportProgress) => void
  /** Where imports run (default: a worker thread, or this thread for an in-memory store). */
  runner?: ImportRunner
}

export interface ImportDoor {
  start(options: ApiInput<'datasets:import'>): Promise<ApiOutput<'datasets:import'>>
  cancel(name: string): ApiOutput<'datasets:import-cancel'>
  /** Names of the datasets being imported now. */
  active(): string[]
  /** Cancels every import (the workbench is closing). */
  cancelAll(): void
}

/** The imports started through the API of one open workbench. */
export function createImportDoor(options: ImportDoorOptions): ImportDoor {
  const runner = options.runner ?? (options.dbPath === ':memory:' ? importInThread(options.db) : importOnWorker)
  // A second import of a name this workbench is importing is refused at once; across processes the store's commit
  // decides, and the losing attempt removes only its own staged files (core/datasets/import.ts).
  const running = createCancelRegistry<string>({
    describe: (name) => name,
    alreadyRunning: 'is being imported already; wait for that import to end or cancel it',
    notRunning: 'is not being imported in this workbench (the import may have ended already)',
  })

  async function start(input: ApiInput<'datasets:import'>): Promise<ApiOutput<'datasets:import'>> {
    const name = input.name
    const signal = running.begin(name)
    let last: ImportProgress = { name, phase: 'started', done: 0, total: 0, caseId: null }
    const emit = (progress: ImportProgress): void => {
      last = progress
      options.emit(progress)
    }
    emit(last)
    try {
      const summary = await runner(
        { dbPath: options.dbPath, workspace: options.workspace, options: input },
        { signal, onProgress: (done, total, caseId) => emit({ name, phase: 'reading', done, total, caseId }) },
      )
      emit({ ...last, phase: 'done', done: summary.volumes, total: summary.volumes })
      return summary
    } catch (err) {
      emit({ ...last, phase: err instanceof CancelledError ? 'cancelled' : 'failed' })
      throw cancelledInPlainWords(err, name, `the import was cancelled after ${last.done} of ${last.total} volumes; nothing was stored`)
    } finally {
      running.end(name)
    }
  }

  return {
    start,
    cancel(name) {
      running.cancel(name)
      return { name }
    },
    active: running.active,
    cancelAll: running.cancelAll,
  }
}
