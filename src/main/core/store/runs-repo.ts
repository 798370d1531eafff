import { hostname } from 'node:os'
import { RunRecordSchema, RunStatusSchema, type RunRecord } from '../../../shared/run'
import { immediate, type Db } from './database'

export interface NewRun {
  kind: string
  datasetId?: number | null
  seed?: number | null
  config: Record<string, unknown>
}

const now = (): string => new Date().toISOString()

/** Records a queued run; returns its id. */
export function createRun(db: Db, run: NewRun): number {
  return Number(
    db
      .prepare('INSERT INTO runs (kind, status, dataset_id, seed, config_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(run.kind, 'queued', run.datasetId ?? null, run.seed ?? null, JSON.stringify(run.config), now()).lastInsertRowid,
  )
}

/** Marks a queued run as running in this process (its pid is stored so a crash can be detected). */
export function startRun(db: Db, id: number, pid: number = process.pid): void {
  const changed = db
    .prepare(`UPDATE runs SET status = 'running', started_at = ?, pid = ?, host = ? WHERE id = ? AND status = 'queued'`)
    .run(now(), pid, hostname(), id).changes
  if (changed !== 1) throw new Error(`run ${id} is not queued`)
}

/** Ends a running run as done with its result. */
export function finishRun(db: Db, id: number, result: Record<string, unknown>): void {
  endRun(db, id, 'done', JSON.stringify(result), null)
}

/** Ends a run as failed with the error text. */
export function failRun(db: Db, id: number, error: string): void {
  endRun(db, id, 'failed', null, error)
}

/** Ends a queued or running run as cancelled. */
export function cancelRun(db: Db, id: number): void {
  endRun(db, id, 'cancelled', null, null)
}

function endRun(db: Db, id: number, status: 'done' | 'failed' | 'cancelled', resultJson: string | null, error: string | null): void {
  const changed = db
    .prepare(
      `UPDATE runs SET status = ?, result_json = ?, error = ?, finished_at = ?
       WHERE id = ? AND status IN ('queued', 'running')`,
    )
    .run(status, resultJson, error, now(), id).changes
  if (changed !== 1) throw new Error(`run ${id} has already ended`)
}

interface RunRow {
  id: number
  kind: string
  status: string
  dataset_id: number | null
  seed: number | null
  config_json: string
  result_json: string | null
  error: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  pid: number | null
  host: string | null
}

function toRecord(row: RunRow): RunRecord {
  return RunRecordSchema.parse({
    id: row.id,
    kind: row.kind,
    status: RunStatusSchema.parse(row.status),
    datasetId: row.dataset_id,
    seed: row.seed,
    config: JSON.parse(row.config_json),
    result: row.result_json === null ? null : JSON.parse(row.result_json),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    pid: row.pid,
    host: row.host,
  })
}

/** One run, or undefined. */
export function getRun(db: Db, id: number): RunRecord | undefined {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
  return row ? toRecord(row) : undefined
}

/** Runs, newest first. */
export function listRuns(db: Db, filter: { kind?: string } = {}): RunRecord[] {
  const rows = (
    filter.kind === undefined
      ? db.prepare('SELECT * FROM runs ORDER BY id DESC').all()
      : db.prepare('SELECT * FROM runs WHERE kind = ? ORDER BY id DESC').all(filter.kind)
  ) as RunRow[]
  return rows.map(toRecord)
}

/** True when a process with this pid exists on this machine. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Marks as failed every run left 'running' by a process of this host that no longer exists (killed,
 * crashed, power cut), so no run stays 'running' forever. Returns how many were marked.
 */
export function markInterruptedRuns(db: Db, isAlive: (pid: number) => boolean = processIsAlive): number {
  return immediate(db, () => {
    const rows = db.prepare(`SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`).all(hostname()) as {
      id: number
      pid: number | null
    }[]
    const dead = rows.filter((r) => r.pid === null || !isAlive(r.pid))
    const mark = db.prepare(
      `UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`,
    )
    for (const r of dead) mark.run(`interrupted: process ${r.pid ?? '?'} ended while the run was running`, now(), r.id)
    return dead.length
  })
}
