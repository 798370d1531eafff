// Removing a dataset, a plan, a run or a sweep (issue 14, item 10): what goes is said first (a preview), and the
// removal deletes exactly that — the rows in one IMMEDIATE transaction, then the workspace folders they owned.
// Rows go before files, so no row ever points at a removed file; a crash between the two leaves folders no row
// refers to, which the orphan sweep at the next open removes. Something a running run or trial uses is refused.
import { dirname, join } from 'node:path'
import { InputError } from '../../../shared/errors'
import type { RemovalReport } from '../../../shared/removal'
import { immediate, type Db } from '../store/database'
import { datasetChildOf } from './orphans'
import { isRealFolder, removeTree, treeSize } from './files'
import { removeIfEmpty } from './staging'
import { planFolder, runFolder, workspaceFolders } from './folders'

/** What to remove. */
export type RemovalTarget = { dataset: string } | { planId: number } | { runId: number } | { sweepId: number }

/** The rows a removal deletes and the folders (relative to the workspace) they own. */
interface Resolved {
  target: string
  volumes: number
  plans: number[]
  sweeps: number[]
  trials: number
  runs: { id: number; kind: string }[]
  keptRuns: number[]
  folders: string[]
  deleteRows(): void
}

type IdRow = { id: number }
const idsOf = (rows: unknown[]): number[] => (rows as IdRow[]).map((r) => r.id)

/** What removing the target would delete; an InputError when it does not exist or something running uses it. */
export function previewRemoval(db: Db, workspace: string, target: RemovalTarget): RemovalReport {
  return report(resolveTarget(db, workspace, target), workspace, false)
}

/** Removes the target: its rows in one transaction, then its workspace folders. Returns what was removed. */
export function removeTarget(db: Db, workspace: string, target: RemovalTarget): RemovalReport {
  const resolved = immediate(db, () => {
    // Resolved again under the write lock: what a run started since the preview uses is refused here.
    const r = resolveTarget(db, workspace, target)
    r.deleteRows()
    return r
  })
  const done = report(resolved, workspace, true)
  for (const folder of resolved.folders) {
    removeTree(join(workspace, folder))
    // datasets/<name>/ goes once its last attempt is gone.
    if (folder.startsWith(join(workspaceFolders.datasets, '/'))) removeIfEmpty(join(workspace, dirname(folder)))
  }
  return done
}

function report(r: Resolved, workspace: string, done: boolean): RemovalReport {
  const folders = r.folders
    .filter((f) => isRealFolder(join(workspace, f)))
    .map((path) => ({ path, ...treeSize(join(workspace, path)) }))
  const { deleteRows: _rows, folders: _folders, ...rows } = r
  return { ...rows, done, folders, bytes: folders.reduce((n, f) => n + f.bytes, 0) }
}

function resolveTarget(db: Db, workspace: string, target: RemovalTarget): Resolved {
  if ('dataset' in target) return resolveDataset(db, workspace, target.dataset)
  if ('planId' in target) return resolvePlan(db, target.planId)
  if ('runId' in target) return resolveRun(db, target.runId)
  return resolveSweep(db, target.sweepId)
}

/** Refuses when any of these runs is queued or running (a process works on it now). */
function refuseActiveRuns(db: Db, source: string, runIds: readonly number[], what: string): void {
  const active = runIds.filter((id) => {
    const row = db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string } | undefined
    return row?.status === 'queued' || row?.status === 'running'
  })
  if (active.length > 0) {
    throw new InputError(source, `${what} run ${active.join(', ')} is running; cancel it or wait for it to end, then remove (nothing was removed)`)
  }
}

/** Refuses when a trial of these sweeps is running. */
function refuseRunningTrials(db: Db, source: string, sweepIds: readonly number[]): void {
  for (const id of sweepIds) {
    const n = (db.prepare(`SELECT COUNT(*) AS n FROM sweep_trials WHERE sweep_id = ? AND status = 'running'`).get(id) as { n: number }).n
    if (n > 0) throw new InputError(source, `sweep ${id} has ${n} running trial${n === 1 ? '' : 's'}; cancel it (workbench sweep cancel ${id}) and let them stop, then remove (nothing was removed)`)
  }
}

function runsOf(db: Db, sql: string, ...params: unknown[]): { id: number; kind: string }[] {
  return db.prepare(sql).all(...params) as { id: number; kind: string }[]
}

function runFolders(runs: readonly { id: number; kind: string }[]): string[] {
  return runs.map(runFolder)
}

function countTrialsOf(db: Db, sweepIds: readonly number[]): number {
  return sweepIds.reduce((n, id) => n + (db.prepare('SELECT COUNT(*) AS n FROM sweep_trials WHERE sweep_id = ?').get(id) as { n: number }).n, 0)
}

/**
 * A dataset with its volumes, split, plans (and imported masks), sweeps and trials, and every run of it that is
 * not a training run (interpolations and their masks). Its training runs stay, their dataset unset.
 */
function resolveDataset(db: Db, workspace: string, name: string): Resolved {
  const row = db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as IdRow | undefined
  if (!row) throw new InputError(name, 'no dataset has this name')
  const source = `dataset ${name}`
  const allRuns = runsOf(db, 'SELECT id, kind FROM runs WHERE dataset_id = ? ORDER BY id', row.id)
  refuseActiveRuns(db, source, allRuns.map((r) => r.id), 'its')
  const sweeps = idsOf(db.prepare('SELECT id FROM sweeps WHERE dataset_id = ? ORDER BY id').all(row.id))
  refuseRunningTrials(db, source, sweeps)
  const plans = idsOf(db.prepare('SELECT id FROM plans WHERE dataset_id = ? ORDER BY id').all(row.id))
  const runs = allRuns.filter((r) => r.kind !== 'training')
  const paths = db.prepare('SELECT image_path AS a, label_path AS b FROM volumes WHERE dataset_id = ?').all(row.id) as { a: string; b: string }[]
  return {
    target: source,
    volumes: paths.length,
    plans,
    sweeps,
    trials: countTrialsOf(db, sweeps),
    runs,
    keptRuns: allRuns.filter((r) => r.kind === 'training').map((r) => r.id),
    // Only the attempt folders its volumes lie in: another attempt of this name (an import that won a later race) is not its.
    folders: [
      ...[...new Set(paths.flatMap((p) => [p.a, p.b]).map((p) => datasetChildOf(workspace, p)))].flatMap((f) => (f === undefined ? [] : [join(workspaceFolders.datasets, f)])),
      ...plans.map(planFolder),
      ...runFolders(runs),
    ],
    deleteRows() {
      const drop = db.prepare('DELETE FROM runs WHERE id = ?')
      for (const r of runs) drop.run(r.id)
      db.prepare('DELETE FROM datasets WHERE id = ?').run(row.id)
    },
  }
}

/** A plan with its items, imported masks and interpolation runs. Refused while a sweep uses it. */
function resolvePlan(db: Db, planId: number): Resolved {
  if (!db.prepare('SELECT 1 FROM plans WHERE id = ?').get(planId)) throw new InputError(`plan ${planId}`, 'no plan has this id')
  const source = `plan ${planId}`
  const sweeps = idsOf(db.prepare('SELECT DISTINCT sweep_id AS id FROM sweep_trials WHERE plan_id = ? ORDER BY sweep_id').all(planId))
  if (sweeps.length > 0) {
    throw new InputError(source, `sweep ${sweeps.join(', ')} uses it; remove the sweep first (workbench sweep remove ${sweeps[0]}) (nothing was removed)`)
  }
  const using = runsOf(db, `SELECT id, kind FROM runs WHERE json_extract(config_json, '$.planId') = ? ORDER BY id`, planId)
  refuseActiveRuns(db, source, using.map((r) => r.id), 'a')
  const runs = using.filter((r) => r.kind === 'interpolation')
  return {
    target: source,
    volumes: 0,
    plans: [planId],
    sweeps: [],
    trials: 0,
    runs,
    keptRuns: using.filter((r) => r.kind === 'training').map((r) => r.id),
    folders: [planFolder(planId), ...runFolders(runs)],
    deleteRows() {
      for (const r of runs) db.prepare('DELETE FROM runs WHERE id = ?').run(r.id)
      db.prepare('DELETE FROM plans WHERE id = ?').run(planId)
    },
  }
}

/** One run with its folder (checkpoints or masks). A sweep's trial run goes with its sweep. */
function resolveRun(db: Db, runId: number): Resolved {
  const run = db.prepare('SELECT id, kind FROM runs WHERE id = ?').get(runId) as { id: number; kind: string } | undefined
  if (!run) throw new InputError(`run ${runId}`, 'no run has this id')
  const source = `run ${runId}`
  refuseActiveRuns(db, source, [runId], 'the')
  const trial = db.prepare('SELECT id, sweep_id AS sweepId FROM sweep_trials WHERE run_id = ?').get(runId) as { id: number; sweepId: number } | undefined
  if (trial) {
    throw new InputError(source, `is trial ${trial.id} of sweep ${trial.sweepId}; remove the sweep (workbench sweep remove ${trial.sweepId}) (nothing was removed)`)
  }
  return {
    target: source,
    volumes: 0,
    plans: [],
    sweeps: [],
    trials: 0,
    runs: [run],
    keptRuns: [],
    folders: runFolders([run]),
    deleteRows() {
      db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    },
  }
}

/** A sweep with its trials and their training runs (with checkpoints); its plans stay (other sweeps may share them). */
function resolveSweep(db: Db, sweepId: number): Resolved {
  if (!db.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) throw new InputError(`sweep ${sweepId}`, 'no sweep has this id')
  const source = `sweep ${sweepId}`
  refuseRunningTrials(db, source, [sweepId])
  const runs = runsOf(db, 'SELECT r.id, r.kind FROM sweep_trials t JOIN runs r ON r.id = t.run_id WHERE t.sweep_id = ? ORDER BY r.id', sweepId)
  refuseActiveRuns(db, source, runs.map((r) => r.id), 'its')
  return {
    target: source,
    volumes: 0,
    plans: [],
    sweeps: [sweepId],
    trials: countTrialsOf(db, [sweepId]),
    runs,
    keptRuns: [],
    folders: runFolders(runs),
    deleteRows() {
      db.prepare('DELETE FROM sweeps WHERE id = ?').run(sweepId)
      for (const r of runs) db.prepare('DELETE FROM runs WHERE id = ?').run(r.id)
    },
  }
}
