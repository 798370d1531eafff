// The UI's side of sweeps and their reports (sweeps:*, reports:figures). A sweep runs in the background of the
// workbench: the call that starts it returns at once, the runner is held with an AbortController, and its
// progress is pushed as throttled `sweep` events, with one last event when the runner stops.
import type { ApiInput, ApiOutput } from '../../shared/api'
import { InputError, isInputError } from '../../shared/errors'
import type { SweepData } from '../../shared/report-data'
import { SweepGridSchema, type SweepProgress } from '../../shared/sweep'
import { interpolatePlan } from '../core/interpolation/plan-run'
import { allFigures } from '../core/reports/figures'
import { paperFindings } from '../core/reports/findings'
import { loadSweepData } from '../core/reports/load'
import { renderFigures } from '../core/reports/render'
import { renderHtml } from '../core/reports/html'
import { describeSweep, reportHead } from '../core/reports/write-report'
import type { Db } from '../core/store/database'
import { countTrials, listSweeps } from '../core/store/sweeps-repo'
import { cancelSweep, requireSweep, resumeSweep, retryFailed, sweepStatus } from '../core/sweeps/control'
import { createSweep } from '../core/sweeps/create-sweep'
import { trialCount } from '../core/sweeps/expand'
import { sweepPreset, sweepPresets } from '../core/sweeps/presets'
import { runSweep, type SweepContext } from '../core/sweeps/run-sweep'
import type { TrainRunner } from '../core/training/run-training'
import { interpolationOnWorkers } from '../workers/executors'
import { trainOnWorker } from '../workers/train-runner'

export interface SweepDoorOptions {
  db: Db
  workspace: string
  /** Receives each progress event that passes the throttle, and the last one of every run. */
  emit: (progress: SweepProgress) => void
  /** Where trials train; the product's default is one worker thread per trial. */
  runner?: TrainRunner
  /** Trials in flight at once when sweeps:run does not say (default: the runner's, one per core). */
  workers?: number
  /** Least time between two events of a run whose trial counts did not change. */
  minIntervalMs?: number
  /** How often a runner looks for a cancel in the store (ms). */
  pollMs?: number
  now?: () => number
}

export interface SweepDoor {
  list(): ApiOutput<'sweeps:list'>
  presets(): ApiOutput<'sweeps:presets'>
  create(input: ApiInput<'sweeps:create'>): Promise<ApiOutput<'sweeps:create'>>
  status(sweepId: number): ApiOutput<'sweeps:status'>
  run(input: ApiInput<'sweeps:run'>): ApiOutput<'sweeps:run'>
  cancel(sweepId: number): ApiOutput<'sweeps:cancel'>
  retry(sweepId: number): ApiOutput<'sweeps:retry'>
  figures(input: ApiInput<'reports:figures'>): Promise<ApiOutput<'reports:figures'>>
  html(input: ApiInput<'reports:html'>): Promise<ApiOutput<'reports:html'>>
  /** Sweep ids running now. */
  active(): number[]
  /** Resolves when the sweep's runner (if any) has stopped. */
  settled(sweepId: number): Promise<void>
  /** Pauses every running sweep (the workbench is closing): running trials go back to the queue. */
  pauseAll(): void
}

/**
 * Lets progress through when the trial counts changed, else at most once per `minIntervalMs` (the step of a
 * running trial moves many times a second).
 */
export function throttleSweepProgress(emit: (p: SweepProgress) => void, minIntervalMs: number, now: () => number = Date.now): (p: SweepProgress) => void {
  let lastCounts = ''
  let lastAt = -Infinity
  return (p) => {
    const counts = JSON.stringify(p.counts)
    const t = now()
    if (counts === lastCounts && t - lastAt < minIntervalMs) return
    lastCounts = counts
    lastAt = t
    emit(p)
  }
}

/** Keeps the points of the given models and selection methods (dense baselines stay: they are every method's reference). */
export function filterSweepData(data: SweepData, filter: { models?: readonly string[] | undefined; methods?: readonly string[] | undefined }): SweepData {
  const keep = (model: string, method: string, dense: boolean): boolean =>
    (!filter.models || filter.models.includes(model)) && (dense || !filter.methods || filter.methods.includes(method))
  return {
    ...data,
    trials: data.trials.filter((t) => keep(t.spec.model, t.spec.method, t.spec.dense)),
    points: data.points.filter((p) => keep(p.model, p.method, p.dense)),
  }
}

const messageOf = (err: unknown): string => (isInputError(err) ? `${err.source}: ${err.problem}` : err instanceof Error ? err.message : String(err))

/** The sweeps run through the API of one open workbench. */
export function createSweepDoor(options: SweepDoorOptions): SweepDoor {
  const { db, workspace } = options
  const running = new Map<number, { controller: AbortController; done: Promise<void> }>()
  const lastError = new Map<number, string>()

  const context = (signal: AbortSignal): SweepContext => ({
    db,
    workspace,
    runner: options.runner ?? trainOnWorker,
    interpolate: (planId, method) => interpolatePlan({ db, workspace, execute: interpolationOnWorkers, signal }, { planId, method }),
  })

  /** The progress of a sweep with nothing in flight (the last event of a run). */
  const restingProgress = (sweepId: number): SweepProgress => {
    const counts = countTrials(db, sweepId)
    return { sweepId, counts, finished: counts.done + counts.failed + counts.cancelled, running: [], etaSeconds: null }
  }

  function launch(sweepId: number, extra: { workers?: number; onlyTrialIds?: readonly number[] }): void {
    const controller = new AbortController()
    const emit = throttleSweepProgress(options.emit, options.minIntervalMs ?? 250, options.now)
    const workers = extra.workers ?? options.workers
    lastError.delete(sweepId)
    const done = runSweep(context(controller.signal), sweepId, {
      signal: controller.signal,
      onProgress: emit,
      ...(workers ? { workers } : {}),
      ...(extra.onlyTrialIds ? { onlyTrialIds: extra.onlyTrialIds } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    })
      .then(
        () => undefined,
        (err: unknown) => {
          lastError.set(sweepId, messageOf(err))
        },
      )
      .finally(() => {
        running.delete(sweepId)
        // The store may be closed already when the workbench shut down under a running sweep.
        try {
          options.emit(restingProgress(sweepId))
        } catch {
          // nothing to tell anyone then
        }
      })
    running.set(sweepId, { controller, done })
  }

  const refuseIfRunning = (sweepId: number): void => {
    if (running.has(sweepId)) throw new InputError(`sweep ${sweepId}`, 'is running already; cancel it first or wait for it to end')
  }
  const runState = (sweepId: number) => ({ active: running.has(sweepId), lastError: lastError.get(sweepId) ?? null })

  return {
    list: () => listSweeps(db).map((sweep) => ({ sweep, counts: countTrials(db, sweep.id), ...runState(sweep.id) })),
    presets: () =>
      Object.entries(sweepPresets).map(([name, preset]) => ({ name, notes: preset.notes ?? [], trials: trialCount(SweepGridSchema.parse(preset.grid)) })),
    async create(input) {
      if ((input.preset === undefined) === (input.definition === undefined)) throw new InputError('sweeps:create', 'takes one of a preset name or a definition')
      const definition = input.preset !== undefined ? sweepPreset(input.preset) : input.definition
      // A bare grid is accepted as the CLI's --grid file is.
      const wrapped = typeof definition === 'object' && definition !== null && !Array.isArray(definition) && !('grid' in definition) ? { grid: definition } : definition
      return createSweep(db, { dataset: input.dataset, definition: wrapped })
    },
    status: (sweepId) => ({ ...sweepStatus(db, sweepId), ...runState(sweepId) }),
    run({ sweepId, workers }) {
      requireSweep(db, sweepId)
      refuseIfRunning(sweepId)
      const requeued = resumeSweep(db, sweepId)
      launch(sweepId, workers ? { workers } : {})
      return { sweepId, requeued: requeued.length }
    },
    cancel(sweepId) {
      return { sweepId, cancelled: cancelSweep(db, sweepId) }
    },
    retry(sweepId) {
      refuseIfRunning(sweepId)
      const ids = retryFailed(db, sweepId)
      if (ids.length > 0) launch(sweepId, { onlyTrialIds: ids })
      return { sweepId, retried: ids.length }
    },
    async figures({ sweepId, models, methods }) {
      const all = loadSweepData(db, sweepId)
      const data = filterSweepData(all, { models, methods })
      const figures = (await renderFigures(allFigures(data))).map(({ figure, svg }) => ({ id: figure.id, title: figure.title, sentence: figure.sentence, rows: figure.rows, tests: figure.tests, svg }))
      const grid = all.sweep.definition.grid
      return {
        sweepId,
        dataset: all.sweep.dataset,
        about: describeSweep(all, countTrials(db, sweepId)),
        findings: paperFindings(data),
        models: grid.models.map((m) => m.name),
        methods: [...grid.methods],
        figures,
      }
    },
    async html({ sweepId, models, methods }) {
      const all = loadSweepData(db, sweepId)
      const data = filterSweepData(all, { models, methods })
      // The head (warnings, protocol, counts) is the whole sweep's; the figures and findings follow the filter.
      const { warnings, about } = reportHead(all, countTrials(db, sweepId))
      const shown = [models?.length ? `models ${models.join(', ')}` : '', methods?.length ? `methods ${methods.join(', ')}` : ''].filter(Boolean).join('; ')
      const html = renderHtml({
        title: `Sparse annotation sweep ${sweepId}: ${all.sweep.dataset}${shown ? ` (${shown})` : ''}`,
        warnings,
        about,
        findings: paperFindings(data),
        figures: await renderFigures(allFigures(data)),
      })
      return { fileName: `sweep-${sweepId}-report.html`, html }
    },
    active: () => [...running.keys()],
    settled: async (sweepId) => {
      await running.get(sweepId)?.done
    },
    pauseAll() {
      for (const { controller } of running.values()) controller.abort()
    },
  }
}
