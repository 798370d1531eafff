// Worker thread: interpolates one volume per task (a thin wrapper around the core's runVolumeTask).
import { runVolumeTask, type VolumeTask, type VolumeTaskResult } from '../core/interpolation/volume-task'
import { serveTasks } from './serve-tasks'

serveTasks<VolumeTask, VolumeTaskResult>((task, progress) => runVolumeTask(task, progress))
