/** How long work is spread out and followed: the core asks for an executor instead of owning threads. */
export interface ExecuteOptions {
  /** Parallel workers (default: one per core). */
  workers?: number
  /** Called as tasks finish, with the number done and the total. */
  onProgress?: (done: number, total: number) => void
  /** Aborting stops the work and rejects with a CancelledError. */
  signal?: AbortSignal
}

/** Runs a batch of independent tasks and returns their results in task order. */
export type TaskExecutor<P, R> = (tasks: readonly P[], options: ExecuteOptions) => Promise<R[]>

/** Thrown when work was cancelled through its signal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError'
}

/** An executor that runs tasks one by one in this thread (tests, tiny jobs). */
export function inProcess<P, R>(run: (task: P) => R | Promise<R>): TaskExecutor<P, R> {
  return async (tasks, options) => {
    const out: R[] = []
    for (const task of tasks) {
      if (options.signal?.aborted) throw new CancelledError('cancelled')
      out.push(await run(task))
      options.onProgress?.(out.length, tasks.length)
    }
    return out
  }
}
