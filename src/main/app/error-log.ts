// The one place that decides how an error reaches people: the user gets one line, and the full trace of an
// unexpected error (never of an input error) is appended to <workspace>/logs/errors.log with a timestamp and
// the door it came through. Every door (CLI, browser-mode server, worker threads via their starting thread)
// reports through here.
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { isInputError } from '../../shared/errors'

/** Where an error surfaced: the command line, the browser-mode server, or a worker thread. */
export type ErrorDoor = 'cli' | 'server' | 'worker'

/** The error log inside a workspace. */
export function errorLogPath(workspace: string): string {
  return join(workspace, 'logs', 'errors.log')
}

/** Set on errors rebuilt from a worker thread's report, so the log names the worker as their door. */
export const workerOrigin = 'workbenchWorkerOrigin'

/** The one line a user sees: input errors name their source, other errors the first line of their message. */
export function userLine(err: unknown): string {
  if (isInputError(err)) return `${err.source}: ${err.problem}`
  const text = err instanceof Error ? err.message : String(err)
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim()
  return first ?? (err instanceof Error ? err.name : 'unexpected error')
}

/** True when an error deserves a trace in the log: anything but an input error or a cancel the user asked for. */
export function needsTrace(err: unknown): boolean {
  return !isInputError(err) && !(err instanceof Error && err.name === 'CancelledError')
}

/** The door to record: a worker's error keeps 'worker' whichever door it surfaced through. */
function doorOf(err: unknown, door: ErrorDoor): string {
  const fromWorker = err instanceof Error && (err as unknown as Record<string, unknown>)[workerOrigin] === true
  return fromWorker && door !== 'worker' ? `worker (via ${door})` : door
}

/**
 * Appends the error's full trace to the log file (best effort: a log that cannot be written never hides the
 * error itself). Returns the log's path when it was written.
 */
export function logErrorTrace(logFile: string, err: unknown, door: ErrorDoor, now: Date = new Date()): string | undefined {
  const trace = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err)
  const entry = `[${now.toISOString()}] ${doorOf(err, door)}: ${userLine(err)}\n${trace}\n\n`
  try {
    mkdirSync(dirname(logFile), { recursive: true })
    appendFileSync(logFile, entry, 'utf8')
    return logFile
  } catch {
    return undefined
  }
}

/**
 * Reports an error at a door: logs the trace of an unexpected error to `logFile` (when given) and returns the
 * one line for the user. Input errors and cancels are not logged.
 */
export function reportError(err: unknown, door: ErrorDoor, logFile: string | undefined): { line: string; logged?: string } {
  const line = userLine(err)
  if (!needsTrace(err) || logFile === undefined) return { line }
  const logged = logErrorTrace(logFile, err, door)
  return logged === undefined ? { line } : { line, logged }
}
