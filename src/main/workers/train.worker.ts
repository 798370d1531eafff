// Worker thread: trains one job (a thin wrapper around the core's trainJob). The job and a shared cancel
// flag arrive in workerData; progress, the result or the error go back as messages.
import { parentPort, workerData } from 'node:worker_threads'
import { isInputError } from '../../shared/errors'
import { CancelledError } from '../core/execution'
import type { TrainJob } from '../core/training/job'
import { trainJob } from '../core/training/train'
import type { TrainWorkerMessage } from './train-protocol'

const port = parentPort
if (!port) throw new Error('train.worker must run inside a worker thread')
const { job, cancelFlag } = workerData as { job: TrainJob; cancelFlag: SharedArrayBuffer }
const flag = new Int32Array(cancelFlag)
const send = (m: TrainWorkerMessage): void => port.postMessage(m)

try {
  const result = await trainJob(job, { onProgress: (progress) => send({ type: 'progress', progress }), isCancelled: () => Atomics.load(flag, 0) === 1 })
  send({ type: 'result', result })
} catch (err) {
  if (err instanceof CancelledError) send({ type: 'cancelled' })
  else if (isInputError(err)) send({ type: 'error', message: err.message, source: err.source, problem: err.problem })
  else send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
}
