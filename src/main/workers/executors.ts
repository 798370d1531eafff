import type { TaskExecutor } from '../core/execution'
import type { VolumeTask, VolumeTaskResult } from '../core/interpolation/volume-task'
import { runPool } from './pool'
import { workerEntry } from './worker-entry'

/** Interpolation on worker threads, off the main thread. */
export const interpolationOnWorkers: TaskExecutor<VolumeTask, VolumeTaskResult> = (tasks, options) =>
  runPool<VolumeTask, VolumeTaskResult>(workerEntry('interpolate.worker'), tasks, options)
