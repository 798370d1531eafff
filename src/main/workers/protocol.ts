import { InputError, isInputError } from '../../shared/errors'

/** An error as it crosses from a worker thread: input errors keep their file and problem. */
export interface ErrorMessage {
  message: string
  source?: string
  problem?: string
}

/** A thrown value as a message (a non-input error keeps its stack, for the log). */
export function toErrorMessage(err: unknown): ErrorMessage {
  if (isInputError(err)) return { message: err.message, source: err.source, problem: err.problem }
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err) }
}

/** The error a worker reported, rebuilt on the starting thread (an InputError where it was one). */
export function fromErrorMessage(m: ErrorMessage): Error {
  return m.source !== undefined && m.problem !== undefined ? new InputError(m.source, m.problem) : new Error(m.message)
}

/** Messages between the pool and a worker thread. */
export type ToWorker<P> = { type: 'task'; id: number; payload: P }

export type FromWorker<R> =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; value: R }
  | ({ type: 'error'; id: number } & ErrorMessage)
