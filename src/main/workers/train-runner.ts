import type { TrainProgress, TrainResult } from '../../shared/training'
import type { TrainRunner } from '../core/training/run-training'
import { runJobWorker } from './job-worker'

/**
 * Trains a job in its own worker thread, so the UI and the CLI's progress bar stay live. Cancelling sets a
 * shared flag the worker polls once per step (it ends cleanly, its run marked cancelled).
 */
export const trainOnWorker: TrainRunner = (job, options) =>
  runJobWorker<typeof job, TrainResult, TrainProgress>('train.worker', job, { ...options, what: 'the training' })
