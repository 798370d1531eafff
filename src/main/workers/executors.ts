import type { TaskExecutor } from '../core/execution'
import type { VolumeTask, VolumeTaskResult } from '../core/interpolation/volume-task'
import { runPool } from './pool'

/** Interpolation on worker threads, off the main thread. */
export const interpolationOnWorkers: TaskExecutor<VolumeTask, VolumeTaskResult> = (tasks, options) =>
  runPool<VolumeTask, VolumeTaskResult>(new URL('./interpolate.worker.ts', import.meta.url), tasks, options)
