// The UI's side of training runs (train:start, train:cancel, training:backends): each run trains on a worker
// thread so the server never blocks, keeps an AbortController so it can be cancelled, and pushes throttled
// progress events; the backend probe is asked once per process.
import type { ApiInput, ApiOutput } from '../../shared/api'
import type { BackendProbe, TrainProgress } from '../../shared/training'
import { interpolatePlan } from '../core/interpolation/plan-run'
import { requireDataset } from '../core/planning/plans'
import type { Db } from '../core/store/database'
import { probeBackends } from '../core/training/backend'
import { trainRun, type TrainRunner } from '../core/training/run-training'
import { interpolationOnWorkers } from '../workers/executors'
import { trainOnWorker } from '../workers/train-runner'
import { cancelledInPlainWords, createCancelRegistry } from './cancel-registry'

export interface TrainingDoorOptions {
  db: Db
  workspace: string
  /** Receives each progress event that passes the throttle. */
  emit: (progress: TrainProgress) => void
  /** Where jobs run; the product's default is one worker thread per run. */
  runner?: TrainRunner
  /** Least time between two progress events of a run in one phase (phase changes and the last step always pass). */
  minIntervalMs?: number
  now?: () => number
  /** What the backend ladder finds here; a seam for tests, the default is this process's one probeBackends(). */
  probe?: () => Promise<BackendProbe>
}

export interface TrainingDoor {
  start(input: ApiInput<'train:start'>): Promise<ApiOutput<'train:start'>>
  cancel(runId: number): ApiOutput<'train:cancel'>
  /** What each backend rung finds on this machine (training:backends), probed once and then remembered. */
  backends(): Promise<ApiOutput<'training:backends'>>
  /** Run ids training now. */
  active(): number[]
  /** Cancels every run (the workbench is closing). */
  cancelAll(): void
}

/**
 * Lets a run's progress through at most once per `minIntervalMs`, except phase changes and the final
 * training step, which a progress bar must not miss.
 */
export function throttleProgress(
  emit: (progress: TrainProgress) => void,
  minIntervalMs: number,
  now: () => number = Date.now,
): (progress: TrainProgress) => void {
  let lastPhase: TrainProgress['phase'] | undefined
  let lastAt = -Infinity
  return (progress) => {
    const t = now()
    const last = progress.phase === 'training' && progress.step === progress.steps
    if (progress.phase === lastPhase && !last && t - lastAt < minIntervalMs) return
    lastPhase = progress.phase
    lastAt = t
    emit(progress)
  }
}

/**
 * A call made once and then answered from memory; a failed call is not remembered, so the next one tries
 * again. (Callers that come while the first is pending share it.)
 */
export function callOnce<T>(call: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => {
    if (!pending) {
      const attempt = call()
      pending = attempt
      attempt.catch(() => {
        if (pending === attempt) pending = undefined
      })
    }
    return pending
  }
}

/**
 * This process's backend probe: what the machine offers does not change while it runs, and requesting a GPU
 * adapter takes a while, so every workbench of the process shares one answer.
 */
const probeThisProcess = callOnce(() => probeBackends())

/** The training runs started through the API of one open workbench. */
export function createTrainingDoor(options: TrainingDoorOptions): TrainingDoor {
  const { db, workspace } = options
  const baseRunner = options.runner ?? trainOnWorker
  const probe = options.probe ? callOnce(options.probe) : probeThisProcess
  const running = createCancelRegistry<number>({
    describe: (runId) => `run ${runId}`,
    // The store gives every run a new id, so this cannot happen; the registry still refuses rather than lose a run.
    alreadyRunning: 'is training already',
    notRunning: 'is not training in this workbench (it may have ended already)',
  })

  async function start(input: ApiInput<'train:start'>): Promise<ApiOutput<'train:start'>> {
    const dataset = requireDataset(db, input.dataset)
    const controller = new AbortController()
    const emit = throttleProgress(options.emit, options.minIntervalMs ?? 250, options.now)
    let runId: number | undefined
    // Called once the run is recorded: from here on it can be cancelled, and the UI learns its id.
    const runner: TrainRunner = (job, runOptions) => {
      running.begin(job.runId, controller)
      runId = job.runId
      emit({ runId: job.runId, phase: 'loading', step: 0, steps: job.config.steps, loss: null, lr: null, stepsPerSecond: null, etaSeconds: null, annotatedFraction: null })
      return baseRunner(job, runOptions)
    }
    try {
      const run = await trainRun(
        {
          db,
          workspace,
          runner,
          interpolate: (planId, method) => interpolatePlan({ db, workspace, execute: interpolationOnWorkers, signal: controller.signal }, { planId, method }),
        },
        { ...input.config, datasetId: dataset.id },
        { signal: controller.signal, onProgress: emit },
      )
      return { runId: run.runId, result: run.result }
    } catch (err) {
      throw runId === undefined ? err : cancelledInPlainWords(err, `run ${runId}`, 'was cancelled; the history keeps it as cancelled')
    } finally {
      if (runId !== undefined) running.end(runId)
    }
  }

  return {
    start,
    cancel(runId) {
      running.cancel(runId)
      return { runId }
    },
    backends: probe,
    active: running.active,
    cancelAll: running.cancelAll,
  }
}
