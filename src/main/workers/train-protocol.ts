import type { TrainProgress, TrainResult } from '../../shared/training'

/** Messages from a training worker to the main thread. */
export type TrainWorkerMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'result'; result: TrainResult }
  | { type: 'cancelled' }
  | { type: 'error'; message: string; source?: string; problem?: string }
