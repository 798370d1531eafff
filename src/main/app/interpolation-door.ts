// The UI's side of interpolation runs (interpolation:run, interpolation:cancel): each run keeps an
// AbortController under the task id the UI chose, so it can be cancelled, and pushes a `progress` event as
// each volume is done (0 of N first, so the UI can show the bar and the Cancel button at once).
import type { ApiEventPayload, ApiInput, ApiOutput } from '../../shared/api'
import type { InterpolationRun } from '../../shared/interpolation'
import type { TaskExecutor } from '../core/execution'
import { interpolatePlan } from '../core/interpolation/plan-run'
import type { VolumeTask, VolumeTaskResult } from '../core/interpolation/volume-task'
import { requirePlan } from '../core/planning/plans'
import type { Db } from '../core/store/database'
import { interpolationOnWorkers } from '../workers/executors'
import { cancelledInPlainWords, createCancelRegistry } from './cancel-registry'

export interface InterpolationDoorOptions {
  db: Db
  workspace: string
  /** Receives each progress event. */
  emit: (progress: ApiEventPayload<'progress'>) => void
  /** Where the volumes are interpolated; the product's default is the worker-thread pool. */
  execute?: TaskExecutor<VolumeTask, VolumeTaskResult>
}

export interface InterpolationDoor {
  run(input: ApiInput<'interpolation:run'>): Promise<InterpolationRun>
  cancel(task: string): ApiOutput<'interpolation:cancel'>
  /** Cancels every run (the workbench is closing). */
  cancelAll(): void
}

/** The interpolation runs started through the API of one open workbench. */
export function createInterpolationDoor(options: InterpolationDoorOptions): InterpolationDoor {
  const { db, workspace, emit } = options
  const execute = options.execute ?? interpolationOnWorkers
  const running = createCancelRegistry<string>({
    describe: (task) => `task ${task}`,
    alreadyRunning: 'is already running; choose a new task id for a new run',
    notRunning: 'is not interpolating in this workbench (it may have ended already)',
  })

  async function run({ task, ...request }: ApiInput<'interpolation:run'>): Promise<InterpolationRun> {
    if (task === undefined) return interpolatePlan({ db, workspace, execute }, request)
    const signal = running.begin(task)
    try {
      const total = requirePlan(db, request.planId).items.length
      emit({ task, done: 0, total, message: 'interpolating' })
      return await interpolatePlan(
        { db, workspace, execute, signal, onProgress: (done, of) => emit({ task, done, total: of, message: 'interpolating' }) },
        request,
      )
    } catch (err) {
      throw cancelledInPlainWords(err, 'interpolation', 'was cancelled; its run is kept as cancelled and its masks were removed')
    } finally {
      running.end(task)
    }
  }

  return {
    run,
    cancel(task) {
      running.cancel(task)
      return { task }
    },
    cancelAll: running.cancelAll,
  }
}
