/**
 * `sweep collect`: merges what an exported job array left in its folder into the store. Each result file
 * becomes a training run and a done or failed trial, with its checkpoint folder copied into the workspace; a
 * task that left no result but a log saying how it ended (time limit, scancel, a node that could not start
 * the workbench) becomes a failed trial with that reason. Everything is read and checked before anything is
 * stored — a result file or log of another sweep or store refuses the whole folder — and an outcome already
 * in the store (a done trial, a failure collected before) is not stored twice.
 */
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { InputError } from '../../../shared/errors'
import type { TrialOutcome, TrialRecord } from '../../../shared/sweep'
import { immediate, type Db } from '../store/database'
import { createRun, failRun, finishRun, startRun } from '../store/runs-repo'
import { getTrial, listTrials, recordTrialOutcome } from '../store/sweeps-repo'
import { runDirectory } from '../training/run-training'
import { checkpointFolder, requireOwnOutcome } from './cluster'
import { requireSweep } from './control'
import { latestTaskLogs, taskFailure } from './task-logs'
import { trialConfig, trialMetrics } from './trial-config'

export interface CollectSummary {
  collected: number
  failed: number
  /** Outcomes already in this store (done trials, failures collected before), kept as they are. */
  skipped: number
  /** Trials whose task has started but not ended (still running, or killed by SIGKILL): left as they are. */
  unfinished: number[]
  /** Checkpoint folders copied into the workspace. */
  checkpoints: number
}

/** Where collected runs go: the store, and the workspace that holds their checkpoints. */
export interface CollectContext {
  db: Db
  workspace: string
}

interface Arrival {
  source: string
  trial: TrialRecord
  outcome: TrialOutcome
  /** The checkpoint folder the task wrote beside its result, when there is one. */
  checkpoints: string | null
}

/** Merges DIR/results/*.json (or DIR/*.json) and DIR/logs/*.err into the store; see the module comment. */
export function collectResults(ctx: CollectContext, sweepId: number, dir: string): CollectSummary {
  const { db } = ctx
  const sweep = requireSweep(db, sweepId)
  if (!existsSync(dir)) throw new InputError(dir, 'does not exist')
  const folder = existsSync(join(dir, 'results')) ? join(dir, 'results') : dir
  const trials = new Map(listTrials(db, sweepId).map((t) => [t.id, t]))
  const requireTrial = (source: string, id: number, key?: string): TrialRecord => {
    const trial = trials.get(id)
    if (!trial || (key !== undefined && trial.key !== key)) throw new InputError(source, `names trial ${id}${key ? ` (${key})` : ''}, which sweep ${sweepId} does not have`)
    return trial
  }
  const arrivals: Arrival[] = readdirSync(folder)
    .filter((f) => f.endsWith('.json') && statSync(join(folder, f)).isFile())
    .sort()
    .map((f) => {
      const source = join(folder, f)
      const outcome = requireOwnOutcome(source, sweep)
      const checkpoints = checkpointFolder(source)
      return { source, outcome, trial: requireTrial(source, outcome.trialId, outcome.key), checkpoints: outcome.status === 'done' && existsSync(checkpoints) ? checkpoints : null }
    })
  const withResult = new Set(arrivals.map((a) => a.outcome.trialId))
  const unfinished: number[] = []
  for (const [trialId, log] of latestTaskLogs(dir, sweep)) {
    if (withResult.has(trialId)) continue
    const trial = requireTrial(log.path, trialId)
    const error = taskFailure(log)
    if (error === null) {
      if (trial.status !== 'done') unfinished.push(trialId)
      continue
    }
    const config = trialConfig(sweep.definition, sweep.datasetId, trial.spec, trial.planId) as Record<string, unknown>
    const outcome: TrialOutcome = { format: 'workbench-trial-outcome/1', sweepUid: sweep.uid, sweepId, trialId, key: trial.key, status: 'failed', config, result: null, error, startedAt: log.header.startedAt, finishedAt: log.modifiedAt }
    arrivals.push({ source: log.path, trial, outcome, checkpoints: null })
  }
  if (arrivals.length === 0 && unfinished.length === 0) throw new InputError(folder, 'holds no result file (*.json), and no task log says a task ended')

  const summary: CollectSummary = { collected: 0, failed: 0, skipped: 0, unfinished, checkpoints: 0 }
  const copied: string[] = []
  try {
    immediate(db, () => {
      const stored = new Set<number>()
      for (const { outcome, trial, checkpoints } of arrivals) {
        // Re-read inside the write lock: a runner beside us may have finished this trial since the files were checked.
        const current = getTrial(db, trial.id)
        const collectedBefore = outcome.status === 'failed' && current?.status === 'failed' && current.startedAt === outcome.startedAt
        if (current?.status === 'done' || collectedBefore || stored.has(trial.id)) {
          summary.skipped++
          continue
        }
        stored.add(trial.id)
        const runId = createRun(db, { kind: 'training', datasetId: sweep.datasetId, seed: trial.spec.seed, config: { ...outcome.config, dataset: sweep.dataset, collectedFrom: 'cluster' } })
        startRun(db, runId)
        if (outcome.status === 'done' && outcome.result) {
          let result = outcome.result
          if (checkpoints) {
            // Published inside the transaction that creates the run, as every writer of runs/<id>/ does.
            const home = runDirectory(ctx.workspace, runId)
            rmSync(home, { recursive: true, force: true })
            copied.push(home)
            cpSync(checkpoints, home, { recursive: true })
            result = { ...result, checkpoint: join(home, basename(result.checkpoint)) }
            summary.checkpoints++
          }
          finishRun(db, runId, result)
          recordTrialOutcome(db, trial.id, { status: 'done', runId, backend: result.backend, metrics: trialMetrics(result), error: null, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt })
          summary.collected++
        } else {
          failRun(db, runId, outcome.error ?? 'failed on the cluster')
          recordTrialOutcome(db, trial.id, { status: 'failed', runId, backend: null, metrics: null, error: outcome.error, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt })
          summary.failed++
        }
      }
    })
  } catch (err) {
    // The runs were rolled back: their checkpoint folders go too (their ids will be handed out again).
    for (const home of copied) rmSync(home, { recursive: true, force: true })
    throw err
  }
  return summary
}
