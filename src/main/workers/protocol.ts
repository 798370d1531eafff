/** Messages between the pool and a worker thread. */
export type ToWorker<P> = { type: 'task'; id: number; payload: P }

export type FromWorker<R> =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; value: R }
  | { type: 'error'; id: number; message: string; source?: string; problem?: string }
