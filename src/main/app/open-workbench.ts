import type { ApiHandlers } from '../../shared/api'
import { InputError } from '../../shared/errors'
import { volumeForeground, volumePreview } from '../core/datasets/volume-views'
import { getInterpolationRun } from '../core/interpolation/plan-run'
import { listInspectableRuns, readInspectLayer } from '../core/interpolation/inspect'
import { exportPlan } from '../core/planning/exchange'
import { adviseBudget, createPlan, requireDataset, requirePlan } from '../core/planning/plans'
import { openDatabase, type Db } from '../core/store/database'
import { listDatasets } from '../core/store/datasets-repo'
import { listPlans } from '../core/store/plans-repo'
import { getRun, listRuns, markInterruptedRuns, processIsAlive } from '../core/store/runs-repo'
import { requeueInterruptedTrials, sweepsWithRunningTrials } from '../core/store/sweeps-repo'
import { sweepOrphans, type OrphanSweep } from '../core/workspace/orphans'
import { previewRemoval, removeTarget, type RemovalTarget } from '../core/workspace/removal'
import { createEventHub, type EventFeed } from './event-hub'
import { createImportDoor, type ImportDoor } from './import-door'
import { createInterpolationDoor, type InterpolationDoor } from './interpolation-door'
import { resolveDbPath, resolveWorkspace } from './paths'
import { registerSampleOnFirstUse } from './sample'
import { createSweepDoor, type SweepDoor } from './sweep-door'
import { createTrainingDoor, type TrainingDoor } from './training-door'
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
  /** Events the handlers push (training progress); the doors forward them to the UI. */
  events: EventFeed
  /** Files of interrupted work that no row referred to, removed at this open (the doors say how much was freed). */
  orphans: OrphanSweep
  close(): void
}

/** The API handlers over one open store: each only wraps a core function. */
export function createHandlers(
  db: Db,
  info: { dbPath: string; workspace: string; transport: 'ipc' | 'http' },
  training: TrainingDoor = createTrainingDoor({ db, workspace: info.workspace, emit: () => undefined }),
  sweeps: SweepDoor = createSweepDoor({ db, workspace: info.workspace, emit: () => undefined }),
  interpolations: InterpolationDoor = createInterpolationDoor({ db, workspace: info.workspace, emit: () => undefined }),
  imports: ImportDoor = createImportDoor({ db, dbPath: info.dbPath, workspace: info.workspace, emit: () => undefined }),
): ApiHandlers {
  const removal = (target: RemovalTarget, dryRun = false) => (dryRun ? previewRemoval : removeTarget)(db, info.workspace, target)
  return {
    'app:info': async () => ({ version: workbenchVersion(), ...info }),
    'datasets:list': async () => listDatasets(db),
    'datasets:get': async ({ name }) => requireDataset(db, name),
    // On a worker thread: the door answers when the import is done; progress comes as datasetImport events.
    'datasets:import': async (options) => imports.start(options),
    'datasets:import-cancel': async ({ name }) => imports.cancel(name),
    'datasets:remove': async ({ name, dryRun }) => removal({ dataset: name }, dryRun),
    'datasets:foreground': async ({ name, volumeIds }) => volumeForeground(requireDataset(db, name), volumeIds),
    'datasets:preview': async ({ name, volumeId, slice }) => volumePreview(requireDataset(db, name), volumeId, slice),
    'plans:list': async ({ dataset }) => listPlans(db, dataset === undefined ? undefined : requireDataset(db, dataset).id),
    'plans:get': async ({ planId }) => requirePlan(db, planId),
    'plans:create': async (request) => (await createPlan(db, request)).plan,
    'plans:remove': async ({ planId, dryRun }) => removal({ planId }, dryRun),
    'plans:export': async ({ planId, format, outDir }) => {
      const plan = requirePlan(db, planId)
      return exportPlan(plan, requireDataset(db, plan.dataset), format, outDir)
    },
    'budget:advise': async (request) => adviseBudget(db, request),
    'interpolation:run': async (input) => interpolations.run(input),
    'interpolation:cancel': async ({ task }) => interpolations.cancel(task),
    'interpolation:get': async ({ runId }) => getInterpolationRun(db, runId),
    'inspect:runs': async ({ dataset }) => listInspectableRuns(db, dataset),
    'inspect:layer': async (request) => readInspectLayer(db, request),
    'runs:list': async ({ kind }) => listRuns(db, { kind }),
    'runs:get': async ({ runId }) => {
      const run = getRun(db, runId)
      if (!run) throw new InputError(`run ${runId}`, 'no run has this id')
      return run
    },
    'runs:remove': async ({ runId, dryRun }) => removal({ runId }, dryRun),
    'train:start': async (input) => training.start(input),
    'train:cancel': async ({ runId }) => training.cancel(runId),
    'training:backends': async () => training.backends(),
    'sweeps:list': async () => sweeps.list(),
    'sweeps:presets': async () => sweeps.presets(),
    'sweeps:create': async (input) => sweeps.create(input),
    'sweeps:status': async ({ sweepId }) => sweeps.status(sweepId),
    'sweeps:run': async (input) => sweeps.run(input),
    'sweeps:cancel': async ({ sweepId }) => sweeps.cancel(sweepId),
    'sweeps:retry': async ({ sweepId }) => sweeps.retry(sweepId),
    'sweeps:remove': async ({ sweepId, dryRun }) => removal({ sweepId }, dryRun),
    'reports:figures': async (input) => sweeps.figures(input),
    'reports:html': async (input) => sweeps.html(input),
  }
}

/**
 * Opens the store (migrating it), marks runs left 'running' by dead processes as failed and re-queues sweep
 * trials whose runner died, removes the workspace
 * files no row refers to (left by killed processes; see core/workspace/orphans.ts), registers the sample dataset
 * on first use, and returns the API handlers. Every door (Electron, CLI, server) starts here.
 */
export function openWorkbench(options: OpenWorkbenchOptions): WorkbenchContext {
  const dbPath = resolveDbPath(options.dbPath)
  const workspace = resolveWorkspace(options.workspace)
  const db = openDatabase(dbPath)
  let orphans: OrphanSweep
  try {
    markInterruptedRuns(db)
    // A trial whose runner was killed would read 'running' until the next run or resume; every door shows it
    // re-queued at once instead (a live runner's trials are left alone: their pid is alive).
    for (const sweepId of sweepsWithRunningTrials(db)) requeueInterruptedTrials(db, sweepId, processIsAlive)
    orphans = sweepOrphansAtOpen(db, workspace)
    if (options.registerSample ?? true) registerSampleOnFirstUse(db, workspace)
  } catch (err) {
    db.close()
    throw err
  }
  const events = createEventHub()
  const training = createTrainingDoor({ db, workspace, emit: (progress) => events.emit('training', progress) })
  const sweeps = createSweepDoor({ db, workspace, emit: (progress) => events.emit('sweep', progress) })
  const interpolations = createInterpolationDoor({ db, workspace, emit: (progress) => events.emit('progress', progress) })
  const imports = createImportDoor({ db, dbPath, workspace, emit: (progress) => events.emit('datasetImport', progress) })
  return {
    db,
    dbPath,
    workspace,
    handlers: createHandlers(db, { dbPath, workspace, transport: options.transport }, training, sweeps, interpolations, imports),
    events,
    orphans,
    close: () => {
      // Running trainings stop at their next step; their records end 'cancelled' where the store is still open.
      training.cancelAll()
      // Running imports stop before their next pair and store nothing.
      imports.cancelAll()
      // Running interpolations stop; their records end 'cancelled' and their masks are removed.
      interpolations.cancelAll()
      // Running sweeps pause: their trials go back to the queue, and sweeps:run resumes them next time.
      sweeps.pauseAll()
      db.close()
    },
  }
}

/** The orphan sweep of an open: a workspace it cannot read or write is reported, not a reason to refuse to open. */
function sweepOrphansAtOpen(db: Db, workspace: string): OrphanSweep {
  try {
    return sweepOrphans(db, workspace)
  } catch (err) {
    return { removed: [], files: 0, bytes: 0, skipped: `the orphan sweep of ${workspace} failed: ${(err as Error).message.split('\n')[0] ?? ''}` }
  }
}
