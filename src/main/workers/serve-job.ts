// The worker side of runJobWorker (job-worker.ts): reads the job and the cancel flag from workerData, runs it,
// and posts progress and one end message. Only worker entry files import this.
import { parentPort, workerData } from 'node:worker_threads'
import { CancelledError } from '../core/execution'
import type { JobEndMessage } from './job-worker'
import { toErrorMessage } from './protocol'

export interface JobHooks<P> {
  onProgress(progress: P): void
  /** True once the starting thread has asked to cancel. */
  isCancelled(): boolean
}

/** Runs this worker's one job; `name` names the worker in the error thrown when it is not a worker thread. */
export async function serveJob<J, R, P>(name: string, run: (job: J, hooks: JobHooks<P>) => R | Promise<R>): Promise<void> {
  const port = parentPort
  if (!port) throw new Error(`${name} must run inside a worker thread`)
  const { job, cancelFlag } = workerData as { job: J; cancelFlag: SharedArrayBuffer }
  const flag = new Int32Array(cancelFlag)
  const end = (m: JobEndMessage<R>): void => port.postMessage(m)
  try {
    const value = await run(job, {
      onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
      isCancelled: () => Atomics.load(flag, 0) === 1,
    })
    end({ type: 'result', value })
  } catch (err) {
    end(err instanceof CancelledError ? { type: 'cancelled', message: err.message } : { type: 'error', ...toErrorMessage(err) })
  }
}
