import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import {
  SweepDefinitionSchema,
  TrialMetricsSchema,
  TrialSpecSchema,
  TrialStatusSchema,
  type SweepCounts,
  type SweepDefinition,
  type SweepRecord,
  type TrialMetrics,
  type TrialRecord,
  type TrialSpec,
  type TrialStatus,
} from '../../../shared/sweep'
import { immediate, type Db } from './database'

const now = (): string => new Date().toISOString()

export interface NewTrial {
  key: string
  spec: TrialSpec
  planId: number | null
  budget: number
}

export interface NewSweep {
  datasetId: number
  definition: SweepDefinition
  trainSlices: number
  trials: readonly NewTrial[]
}

/** Stores a sweep and its queued trials in one transaction; returns the sweep's id. */
export function insertSweep(db: Db, sweep: NewSweep): number {
  return immediate(db, () => {
    const created = now()
    const id = Number(
      db
        .prepare('INSERT INTO sweeps (uid, dataset_id, definition_json, train_slices, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(randomUUID(), sweep.datasetId, JSON.stringify(sweep.definition), sweep.trainSlices, created).lastInsertRowid,
    )
    const insert = db.prepare(
      `INSERT INTO sweep_trials (sweep_id, ordinal, key, spec_json, plan_id, budget, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)`,
    )
    sweep.trials.forEach((t, i) => insert.run(id, i, t.key, JSON.stringify(t.spec), t.planId, t.budget, created))
    return id
  })
}

interface SweepRow {
  id: number
  uid: string
  dataset_id: number
  dataset: string
  definition_json: string
  train_slices: number
  cancelled: number
  created_at: string
}

/** One sweep, or undefined. */
export function getSweep(db: Db, id: number): SweepRecord | undefined {
  const row = db
    .prepare('SELECT s.*, d.name AS dataset FROM sweeps s JOIN datasets d ON d.id = s.dataset_id WHERE s.id = ?')
    .get(id) as SweepRow | undefined
  return row ? toSweep(row) : undefined
}

/** Sweeps, newest first. */
export function listSweeps(db: Db): SweepRecord[] {
  const rows = db.prepare('SELECT s.*, d.name AS dataset FROM sweeps s JOIN datasets d ON d.id = s.dataset_id ORDER BY s.id DESC').all() as SweepRow[]
  return rows.map(toSweep)
}

function toSweep(row: SweepRow): SweepRecord {
  return {
    id: row.id,
    uid: row.uid,
    datasetId: row.dataset_id,
    dataset: row.dataset,
    definition: SweepDefinitionSchema.parse(JSON.parse(row.definition_json)),
    trainSlices: row.train_slices,
    cancelled: row.cancelled === 1,
    createdAt: row.created_at,
  }
}

/** Marks a sweep cancelled (or active again). */
export function setSweepCancelled(db: Db, id: number, cancelled: boolean): void {
  db.prepare('UPDATE sweeps SET cancelled = ? WHERE id = ?').run(cancelled ? 1 : 0, id)
}

interface TrialRow {
  id: number
  sweep_id: number
  ordinal: number
  key: string
  spec_json: string
  plan_id: number | null
  budget: number
  status: string
  run_id: number | null
  backend: string | null
  metrics_json: string | null
  error: string | null
  attempts: number
  created_at: string
  started_at: string | null
  finished_at: string | null
}

function toTrial(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    ordinal: row.ordinal,
    key: row.key,
    spec: TrialSpecSchema.parse(JSON.parse(row.spec_json)),
    planId: row.plan_id,
    budget: row.budget,
    status: TrialStatusSchema.parse(row.status),
    runId: row.run_id,
    backend: row.backend,
    metrics: row.metrics_json === null ? null : TrialMetricsSchema.parse(JSON.parse(row.metrics_json)),
    error: row.error,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }
}

/** A sweep's trials in grid order. */
export function listTrials(db: Db, sweepId: number): TrialRecord[] {
  return (db.prepare('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY ordinal').all(sweepId) as TrialRow[]).map(toTrial)
}

/** One trial, or undefined. */
export function getTrial(db: Db, id: number): TrialRecord | undefined {
  const row = db.prepare('SELECT * FROM sweep_trials WHERE id = ?').get(id) as TrialRow | undefined
  return row ? toTrial(row) : undefined
}

/** Trial counts by status. */
export function countTrials(db: Db, sweepId: number): SweepCounts {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM sweep_trials WHERE sweep_id = ? GROUP BY status').all(sweepId) as { status: TrialStatus; n: number }[]
  const counts: SweepCounts = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 }
  for (const r of rows) {
    counts[r.status] = r.n
    counts.total += r.n
  }
  return counts
}

/**
 * Takes the next queued trial (in grid order, optionally only among `onlyIds`) for this process: one UPDATE,
 * so two runners on the same store never take the same trial. Undefined when none is left.
 */
export function claimNextTrial(db: Db, sweepId: number, options: { onlyIds?: ReadonlySet<number>; pid?: number } = {}): TrialRecord | undefined {
  return immediate(db, () => {
    const candidates = db
      .prepare(`SELECT id FROM sweep_trials WHERE sweep_id = ? AND status = 'queued' ORDER BY ordinal`)
      .all(sweepId) as { id: number }[]
    const next = candidates.find((c) => !options.onlyIds || options.onlyIds.has(c.id))
    if (!next) return undefined
    db.prepare(
      `UPDATE sweep_trials SET status = 'running', started_at = ?, finished_at = NULL, error = NULL, attempts = attempts + 1, pid = ?, host = ?
       WHERE id = ? AND status = 'queued'`,
    ).run(now(), options.pid ?? process.pid, hostname(), next.id)
    return getTrial(db, next.id)
  })
}

/** Records which training run a running trial is. */
export function setTrialRun(db: Db, trialId: number, runId: number): void {
  db.prepare('UPDATE sweep_trials SET run_id = ? WHERE id = ?').run(runId, trialId)
}

/** Ends a running trial as done with its metrics. */
export function finishTrial(db: Db, trialId: number, outcome: { runId: number; backend: string; metrics: TrialMetrics }): void {
  db.prepare(
    `UPDATE sweep_trials SET status = 'done', run_id = ?, backend = ?, metrics_json = ?, error = NULL, finished_at = ?, pid = NULL
     WHERE id = ? AND status = 'running'`,
  ).run(outcome.runId, outcome.backend, JSON.stringify(outcome.metrics), now(), trialId)
}

/** Ends a running trial as failed (or cancelled) with the error text. */
export function endTrial(db: Db, trialId: number, status: 'failed' | 'cancelled', error: string | null): void {
  db.prepare(`UPDATE sweep_trials SET status = ?, error = ?, finished_at = ?, pid = NULL WHERE id = ? AND status = 'running'`).run(
    status,
    error,
    now(),
    trialId,
  )
}

/** Puts trials of the given statuses back in the queue (their metrics and error cleared); returns how many. */
export function requeueTrials(db: Db, sweepId: number, from: readonly TrialStatus[], onlyIds?: readonly number[]): number[] {
  return immediate(db, () => {
    const rows = db
      .prepare(`SELECT id, status FROM sweep_trials WHERE sweep_id = ?`)
      .all(sweepId) as { id: number; status: TrialStatus }[]
    const ids = rows.filter((r) => from.includes(r.status) && (!onlyIds || onlyIds.includes(r.id))).map((r) => r.id)
    const update = db.prepare(
      `UPDATE sweep_trials SET status = 'queued', metrics_json = NULL, backend = NULL, started_at = NULL, finished_at = NULL, pid = NULL WHERE id = ?`,
    )
    for (const id of ids) update.run(id)
    return ids
  })
}

/** Running trials of this host whose process is gone (killed, crashed): back to queued; returns their ids. */
export function requeueInterruptedTrials(db: Db, sweepId: number, isAlive: (pid: number) => boolean): number[] {
  return immediate(db, () => {
    const rows = db
      .prepare(`SELECT id, pid FROM sweep_trials WHERE sweep_id = ? AND status = 'running' AND (host = ? OR host IS NULL)`)
      .all(sweepId, hostname()) as { id: number; pid: number | null }[]
    const dead = rows.filter((r) => r.pid === null || !isAlive(r.pid)).map((r) => r.id)
    const update = db.prepare(
      `UPDATE sweep_trials SET status = 'queued', error = ?, started_at = NULL, pid = NULL WHERE id = ? AND status = 'running'`,
    )
    for (const id of dead) update.run('interrupted: its runner ended while it trained; re-queued', id)
    return dead
  })
}

/** Ids of the sweeps that have a trial marked running (by any process, live or dead). */
export function sweepsWithRunningTrials(db: Db): number[] {
  return (db.prepare(`SELECT DISTINCT sweep_id FROM sweep_trials WHERE status = 'running' ORDER BY sweep_id`).all() as { sweep_id: number }[]).map((r) => r.sweep_id)
}

/** Queued trials become cancelled; returns how many. */
export function cancelQueuedTrials(db: Db, sweepId: number): number {
  return db.prepare(`UPDATE sweep_trials SET status = 'cancelled', finished_at = ? WHERE sweep_id = ? AND status = 'queued'`).run(now(), sweepId).changes
}

/** A trial done elsewhere (a cluster node): stored as done or failed whatever its status was. */
export function recordTrialOutcome(
  db: Db,
  trialId: number,
  outcome: { status: 'done' | 'failed'; runId: number | null; backend: string | null; metrics: TrialMetrics | null; error: string | null; startedAt: string; finishedAt: string },
): void {
  db.prepare(
    `UPDATE sweep_trials SET status = ?, run_id = ?, backend = ?, metrics_json = ?, error = ?, started_at = ?, finished_at = ?,
       attempts = attempts + 1, pid = NULL, host = NULL WHERE id = ?`,
  ).run(
    outcome.status,
    outcome.runId,
    outcome.backend,
    outcome.metrics === null ? null : JSON.stringify(outcome.metrics),
    outcome.error,
    outcome.startedAt,
    outcome.finishedAt,
    trialId,
  )
}
