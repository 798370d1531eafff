import type { ApiHandlers } from '../../shared/api'
import { InputError } from '../../shared/errors'
import { openDatabase, type Db } from '../core/store/database'
import { getDataset, listDatasets } from '../core/store/datasets-repo'
import { markInterruptedRuns } from '../core/store/runs-repo'
import { resolveDbPath, resolveWorkspace } from './paths'
import { registerSampleOnFirstUse } from './sample'
import { workbenchVersion } from './version'

export interface OpenWorkbenchOptions {
  dbPath?: string
  workspace?: string
  transport: 'ipc' | 'http'
  /** Register the bundled sample dataset on first use (default true). */
  registerSample?: boolean
}

export interface WorkbenchContext {
  db: Db
  handlers: ApiHandlers
  dbPath: string
  workspace: string
  close(): void
}

/** The API handlers over one open store: each only wraps a core function. */
export function createHandlers(db: Db, info: { dbPath: string; workspace: string; transport: 'ipc' | 'http' }): ApiHandlers {
  return {
    'app:info': async () => ({ version: workbenchVersion(), ...info }),
    'datasets:list': async () => listDatasets(db),
    'datasets:get': async ({ name }) => {
      const dataset = getDataset(db, name)
      if (!dataset) throw new InputError(name, 'no dataset has this name')
      return dataset
    },
  }
}

/**
 * Opens the store (migrating it), marks runs left 'running' by dead processes as failed, registers the
 * sample dataset on first use, and returns the API handlers. Every door (Electron, CLI, server) starts here.
 */
export function openWorkbench(options: OpenWorkbenchOptions): WorkbenchContext {
  const dbPath = resolveDbPath(options.dbPath)
  const workspace = resolveWorkspace(options.workspace)
  const db = openDatabase(dbPath)
  try {
    markInterruptedRuns(db)
    if (options.registerSample ?? true) registerSampleOnFirstUse(db, workspace)
  } catch (err) {
    db.close()
    throw err
  }
  return {
    db,
    dbPath,
    workspace,
    handlers: createHandlers(db, { dbPath, workspace, transport: options.transport }),
    close: () => db.close(),
  }
}
