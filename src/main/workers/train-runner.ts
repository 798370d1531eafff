import { InputError } from '../../shared/errors'
import type { TrainResult } from '../../shared/training'
import { CancelledError } from '../core/execution'
import type { TrainRunner } from '../core/training/run-training'
import type { TrainWorkerMessage } from './train-protocol'
import { startWorker, workerEntry } from './worker-entry'

/** How long a cancelled worker gets to finish its step and report before it is terminated. */
const CANCEL_GRACE_MS = 30_000

/**
 * Trains a job in its own worker thread, so the UI and the CLI's progress bar stay live. Cancelling sets a
 * shared flag the worker polls once per step (it ends cleanly, its run marked cancelled); a worker that
 * does not stop within the grace period, or that dies, is terminated and reported as such.
 */
export const trainOnWorker: TrainRunner = (job, options) =>
  new Promise<TrainResult>((resolve, reject) => {
    const cancelFlag = new SharedArrayBuffer(4)
    const worker = startWorker(workerEntry('train.worker'), { job, cancelFlag })
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const settle = (err: unknown, result?: TrainResult): void => {
      if (settled) return
      settled = true
      clearTimeout(grace)
      options.signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (err === null && result) resolve(result)
      else reject(err)
    }
    const onAbort = (): void => {
      Atomics.store(new Int32Array(cancelFlag), 0, 1)
      grace = setTimeout(() => settle(new CancelledError('cancelled (the worker did not stop in time and was terminated)')), CANCEL_GRACE_MS)
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: TrainWorkerMessage) => {
      if (m.type === 'progress') options.onProgress?.(m.progress)
      else if (m.type === 'result') settle(null, m.result)
      else if (m.type === 'cancelled') settle(new CancelledError('cancelled'))
      else settle(m.source !== undefined && m.problem !== undefined ? new InputError(m.source, m.problem) : new Error(m.message))
    })
    worker.on('error', (err) => settle(err))
    worker.on('exit', (code) => settle(new Error(`the training worker exited (code ${code}) before it finished`)))
  })
