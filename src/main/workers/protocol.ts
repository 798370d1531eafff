import { InputError, isInputError } from '../../shared/errors'
import { workerOrigin } from '../app/error-log'

/** An error as it crosses from a worker thread: input errors keep their file and problem. */
export interface ErrorMessage {
  /** What went wrong, as the error said it: never its stack trace. */
  message: string
  /** The worker's stack trace, for the error log only (absent for input errors, which need none). */
  stack?: string
  source?: string
  problem?: string
}

/** A thrown value as a message: the message and, apart from it, the stack for the log. */
export function toErrorMessage(err: unknown): ErrorMessage {
  if (isInputError(err)) return { message: err.message, source: err.source, problem: err.problem }
  if (!(err instanceof Error)) return { message: String(err) }
  return err.stack === undefined ? { message: err.message } : { message: err.message, stack: err.stack }
}

/**
 * The error a worker reported, rebuilt on the starting thread (an InputError where it was one). Other errors
 * carry the worker's stack as their own, so the door that reports them logs the trace where it happened.
 */
export function fromErrorMessage(m: ErrorMessage): Error {
  if (m.source !== undefined && m.problem !== undefined) return new InputError(m.source, m.problem)
  const err = new Error(m.message)
  if (m.stack !== undefined) err.stack = m.stack
  Object.defineProperty(err, workerOrigin, { value: true, enumerable: false })
  return err
}

/** Messages between the pool and a worker thread. */
export type ToWorker<P> = { type: 'task'; id: number; payload: P }

export type FromWorker<R> =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; value: R }
  | ({ type: 'error'; id: number } & ErrorMessage)
