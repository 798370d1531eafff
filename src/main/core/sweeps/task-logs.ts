/**
 * Reading a Slurm export's task logs (DIR/logs/*.err): a task that wrote no result file still wrote its header
 * line, and Slurm or the task's EXIT trap wrote how it ended. That is how `sweep collect` tells a task killed at
 * its time limit, cancelled or out of memory — or one whose node could not start the workbench — from one that
 * is still running.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../../../shared/errors'
import { parseTaskHeader, taskEndPrefix, type TaskHeader } from './slurm-script'

export interface TaskLog {
  path: string
  header: TaskHeader
  text: string
  /** When the log was last written: the task's end, once it has ended. */
  modifiedAt: string
}

/**
 * The newest task log of each trial of the sweep in DIR/logs (none when the folder is absent). A log of
 * another sweep or store is refused, like a result file of one.
 */
export function latestTaskLogs(dir: string, sweep: { id: number; uid: string }): Map<number, TaskLog> {
  const folder = join(dir, 'logs')
  const latest = new Map<number, TaskLog>()
  if (!existsSync(folder)) return latest
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.err')).sort()) {
    const path = join(folder, name)
    const text = readFileSync(path, 'utf8')
    const header = parseTaskHeader(text)
    if (!header) continue
    if (header.sweepUid !== sweep.uid || header.sweepId !== sweep.id) {
      throw new InputError(path, `is the log of a task of another sweep (sweep ${header.sweepId} of another store), not of sweep ${sweep.id}`)
    }
    const log = { path, header, text, modifiedAt: statSync(path).mtime.toISOString() }
    const seen = latest.get(header.trialId)
    if (!seen || isNewer(log, seen)) latest.set(header.trialId, log)
  }
  return latest
}

/** The later attempt of two: by the start its header names, then by the log's last write. */
function isNewer(a: TaskLog, b: TaskLog): boolean {
  return a.header.startedAt !== b.header.startedAt ? a.header.startedAt > b.header.startedAt : a.modifiedAt > b.modifiedAt
}

/**
 * Why a task that wrote no result file ended, in words for the trial's error; null while it has not ended
 * (still running, or killed by SIGKILL before its EXIT trap ran: nothing to say yet).
 */
export function taskFailure(log: TaskLog): string | null {
  const { header, text, path } = log
  const where = `on ${header.node} (array task ${header.arrayTask})`
  // slurmstepd's own line, e.g. "*** JOB 12 ON node3 CANCELLED AT 2026-12-07T19:24:07 DUE TO TIME LIMIT ***".
  const killed = /\*\*\* (?:JOB|STEP) \S+ ON \S+ CANCELLED AT (\S+)(?: DUE TO ([A-Z ]+?))?(?: \*\*\*|$)/m.exec(text)
  if (killed?.[2] === 'TIME LIMIT') return `killed by Slurm at its time limit (${header.timeLimit}) ${where} before the trial finished; log: ${path}`
  if (killed?.[2]) return `stopped by Slurm ${where} at ${killed[1]}: ${killed[2].toLowerCase()}, before the trial finished; log: ${path}`
  if (killed) return `cancelled on the cluster (scancel) ${where} at ${killed[1]} before the trial finished; log: ${path}`
  if (/oom[-_ ]kill/i.test(text)) return `killed for running out of memory ${where} (raise --mem) before the trial finished; log: ${path}`
  const end = new RegExp(`^${taskEndPrefix} (\\d+)$`, 'm').exec(text)
  if (!end) return null
  const lines = text.split('\n').map((l) => l.trim())
  const last = lines.filter((l) => l !== '' && !l.startsWith('workbench task')).pop()
  return `the task ${where} ended with exit code ${end[1]} and wrote no result${last ? `; its log ends: ${last}` : ''}; log: ${path}`
}
