/**
 * The sweep runner: keeps up to N trials in flight (each one training run on its own worker thread when the
 * runner is trainOnWorker), taking queued trials in grid order. Every state change is written to the store
 * as it happens, so a runner killed at any moment leaves done trials done and the rest re-queueable
 * (`recoverInterrupted` at the next start). Aborting the signal pauses: running trials go back to the
 * queue. `cancelSweep` from any process cancels: the runner sees the flag and cancels its running trials.
 */
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname } from 'node:path'
import { isInputError } from '../../../shared/errors'
import type { SweepCounts, SweepProgress, TrialRecord } from '../../../shared/sweep'
import { CancelledError } from '../execution'
import type { Db } from '../store/database'
import { claimNextTrial, countTrials, endTrial, finishTrial, getSweep, requeueTrials, setTrialRun } from '../store/sweeps-repo'
import type { InterpolateForTraining } from '../training/resolve-job'
import { trainRun, type TrainRunner } from '../training/run-training'
import { recoverInterrupted, requireSweep } from './control'
import { trialConfig, trialMetrics } from './trial-config'

export interface SweepContext {
  db: Db
  workspace: string
  runner: TrainRunner
  interpolate?: InterpolateForTraining
}

export interface RunSweepOptions {
  /** Trials in flight at once (default: one per core). */
  workers?: number
  /** Aborting pauses the sweep: running trials are re-queued. */
  signal?: AbortSignal
  onProgress?: (progress: SweepProgress) => void
  /** Run only these trials (retry of failed ones). */
  onlyTrialIds?: readonly number[]
  /** How often the store is polled for a cancel from another process (ms). */
  pollMs?: number
}

export interface SweepRunSummary {
  sweepId: number
  counts: SweepCounts
  /** Trials this call ran to an end, and how long it took. */
  ran: number
  wallMs: number
  /** Why it stopped early, if it did. */
  stopped: 'paused' | 'cancelled' | null
}

interface InFlight {
  trial: TrialRecord
  controller: AbortController
  step: number
  steps: number
}

/** Runs a sweep's queued trials to the end (or until paused or cancelled); see the module comment. */
export async function runSweep(ctx: SweepContext, sweepId: number, options: RunSweepOptions = {}): Promise<SweepRunSummary> {
  const { db } = ctx
  const sweep = requireSweep(db, sweepId)
  if (sweep.cancelled) return { sweepId, counts: countTrials(db, sweepId), ran: 0, wallMs: 0, stopped: 'cancelled' }
  recoverInterrupted(db, sweepId)
  const workers = Math.max(1, options.workers ?? availableParallelism())
  // Trials share the cores: each gets its slice of them unless the sweep's config fixes the thread count.
  const threads = Math.max(1, Math.floor(availableParallelism() / workers))
  const onlyIds = options.onlyTrialIds ? new Set(options.onlyTrialIds) : undefined
  const started = Date.now()
  const inFlight = new Map<number, InFlight>()
  const durations: number[] = []
  let stopped: SweepRunSummary['stopped'] = null
  let ran = 0

  const emit = (): void => {
    if (!options.onProgress) return
    const counts = countTrials(db, sweepId)
    const finished = counts.done + counts.failed + counts.cancelled
    const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null
    const left = onlyIds ? [...onlyIds].length - ran : counts.queued + counts.running
    options.onProgress({
      sweepId,
      counts,
      finished,
      running: [...inFlight.values()].map((f) => ({ trialId: f.trial.id, label: f.trial.key, step: f.step, steps: f.steps })),
      etaSeconds: mean === null ? null : (mean * Math.max(0, left)) / Math.min(workers, Math.max(1, left)) / 1000,
    })
  }

  const stopAll = (why: 'paused' | 'cancelled'): void => {
    if (stopped) return
    stopped = why
    for (const f of inFlight.values()) f.controller.abort()
  }
  const onAbort = (): void => stopAll('paused')
  if (options.signal?.aborted) onAbort()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const poll = setInterval(() => {
    if (getSweep(db, sweepId)?.cancelled) stopAll('cancelled')
  }, options.pollMs ?? 1000)

  const runTrial = async (trial: TrialRecord): Promise<void> => {
    const flight: InFlight = { trial, controller: new AbortController(), step: 0, steps: 0 }
    inFlight.set(trial.id, flight)
    emit()
    const t0 = Date.now()
    // The runner sees the job first: that is where the trial learns its run's id, even if training then fails.
    const runner: TrainRunner = (job, o) => {
      setTrialRun(db, trial.id, job.runId)
      // Checkpoints go under runs/<id>/; make sure the folder exists whatever the runner does.
      mkdirSync(dirname(job.checkpointPath), { recursive: true })
      return ctx.runner(job, o)
    }
    try {
      const config = trialConfig(sweep.definition, sweep.datasetId, trial.spec, trial.planId, threads)
      const run = await trainRun({ db, workspace: ctx.workspace, runner, ...(ctx.interpolate ? { interpolate: ctx.interpolate } : {}) }, config, {
        signal: flight.controller.signal,
        onProgress: (p) => {
          if (p.phase !== 'training') return
          flight.step = p.step
          flight.steps = p.steps
          emit()
        },
      })
      finishTrial(db, trial.id, { runId: run.runId, backend: run.result.backend, metrics: trialMetrics(run.result) })
      durations.push(Date.now() - t0)
    } catch (err) {
      if (err instanceof CancelledError || flight.controller.signal.aborted) {
        if (stopped === 'cancelled') endTrial(db, trial.id, 'cancelled', null)
        else requeueTrials(db, sweepId, ['running'], [trial.id])
      } else {
        const message = isInputError(err) ? `${err.source}: ${err.problem}` : err instanceof Error ? err.message : String(err)
        endTrial(db, trial.id, 'failed', message)
        durations.push(Date.now() - t0)
      }
    } finally {
      inFlight.delete(trial.id)
      ran++
      emit()
    }
  }

  try {
    const active = new Set<Promise<void>>()
    for (;;) {
      while (!stopped && active.size < workers) {
        const trial = claimNextTrial(db, sweepId, onlyIds ? { onlyIds } : {})
        if (!trial) break
        const p: Promise<void> = runTrial(trial).finally(() => active.delete(p))
        active.add(p)
      }
      if (active.size === 0) break
      await Promise.race(active)
    }
  } finally {
    clearInterval(poll)
    options.signal?.removeEventListener('abort', onAbort)
  }
  if (!stopped && getSweep(db, sweepId)?.cancelled) stopped = 'cancelled'
  return { sweepId, counts: countTrials(db, sweepId), ran, wallMs: Date.now() - started, stopped }
}
