// The UI's side of dataset imports (datasets:import, datasets:import-cancel): each import runs on a worker
// thread so the server never blocks, can be cancelled by its dataset name, and pushes `datasetImport` events.
import type { ApiInput, ApiOutput } from '../../shared/api'
import type { ImportProgress } from '../../shared/dataset'
import { InputError } from '../../shared/errors'
import { CancelledError } from '../core/execution'
import type { Db } from '../core/store/database'
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
  const running = new Map<string, AbortController>()

  async function start(input: ApiInput<'datasets:import'>): Promise<ApiOutput<'datasets:import'>> {
    const name = input.name
    // Two imports of one name would race to the same insert and the same workspace folder.
    if (running.has(name)) throw new InputError(name, 'is being imported already; wait for that import to end or cancel it')
    const controller = new AbortController()
    running.set(name, controller)
    let last: ImportProgress = { name, phase: 'started', done: 0, total: 0, caseId: null }
    const emit = (progress: ImportProgress): void => {
      last = progress
      options.emit(progress)
    }
    emit(last)
    try {
      const summary = await runner(
        { dbPath: options.dbPath, workspace: options.workspace, options: input },
        { signal: controller.signal, onProgress: (done, total, caseId) => emit({ name, phase: 'reading', done, total, caseId }) },
      )
      emit({ ...last, phase: 'done', done: summary.volumes, total: summary.volumes })
      return summary
    } catch (err) {
      const cancelled = err instanceof CancelledError
      emit({ ...last, phase: cancelled ? 'cancelled' : 'failed' })
      // A cancel the user asked for is an outcome to show in plain words, not a server failure.
      if (cancelled) throw new InputError(name, `the import was cancelled after ${last.done} of ${last.total} volumes; nothing was stored`)
      throw err
    } finally {
      running.delete(name)
    }
  }

  return {
    start,
    cancel(name) {
      const controller = running.get(name)
      if (!controller) throw new InputError(name, 'is not being imported in this workbench (the import may have ended already)')
      controller.abort()
      return { name }
    },
    active: () => [...running.keys()],
    cancelAll() {
      for (const controller of running.values()) controller.abort()
    },
  }
}
