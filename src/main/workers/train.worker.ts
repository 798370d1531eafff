// Worker thread: trains one job (a thin wrapper around the core's trainJob); see serve-job.ts for the messages.
import type { TrainProgress, TrainResult } from '../../shared/training'
import type { TrainJob } from '../core/training/job'
import { trainJob } from '../core/training/train'
import { serveJob } from './serve-job'

await serveJob<TrainJob, TrainResult, TrainProgress>('train.worker', (job, hooks) => trainJob(job, hooks))
