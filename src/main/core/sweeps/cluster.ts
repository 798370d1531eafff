/**
 * Beyond one machine: trials are independent, so a sweep can run as a Slurm job array. `exportSlurm` writes
 * a snapshot of the store and a job-array script (slurm-script.ts) whose tasks each copy the snapshot to
 * node-local scratch and run `workbench trial run ID --out DIR/results/trial-ID.json`; `runTrialToFile` is that
 * task, writing the outcome and the checkpoint beside it; `collectResults` (cluster-collect.ts) merges them back.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { InputError, isInputError } from '../../../shared/errors'
import { TrialOutcomeSchema, type TrialOutcome, type TrialStatus } from '../../../shared/sweep'
import type { TrainBackend } from '../../../shared/training'
import { CancelledError } from '../execution'
import type { Db } from '../store/database'
import { getTrial, listTrials } from '../store/sweeps-repo'
import { trainRun } from '../training/run-training'
import { requireSweep } from './control'
import type { SweepContext } from './run-sweep'
import { checkSlurmJobOptions, slurmScript, type SlurmJobOptions } from './slurm-script'
import { trialConfig, trialMetrics } from './trial-config'

export interface SlurmExport {
  dir: string
  script: string
  trials: number[]
  /** Trials whose result file in DIR/results already says done (ran, not yet collected): not exported again. */
  doneInFolder: number[]
}

export interface SlurmOptions extends SlurmJobOptions {
  /** Trials of these statuses are exported (default: queued, failed and cancelled). */
  statuses?: readonly TrialStatus[]
  /** Shell text that runs the workbench CLI on the nodes (the CLI passes its own Node.js and entry, by absolute path). */
  command: string
}

/** Where `trial run --out FILE` puts the run's checkpoint folder: FILE without .json, plus .checkpoint. */
export function checkpointFolder(outcomeFile: string): string {
  return `${outcomeFile.replace(/\.json$/, '')}.checkpoint`
}

/** The outcome file of a trial in an export folder. */
export function resultFile(dir: string, trialId: number): string {
  return join(dir, 'results', `trial-${trialId}.json`)
}

/** Reads a result file, or an InputError naming it. */
export function readOutcome(path: string): TrialOutcome {
  try {
    return TrialOutcomeSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
  } catch (e) {
    throw new InputError(path, `is not a trial result file: ${(e as Error).message.split('\n')[0]}`)
  }
}

/** The sweep's result in a file, or an InputError when the file belongs to another sweep or store. */
export function requireOwnOutcome(path: string, sweep: { id: number; uid: string }): TrialOutcome {
  const outcome = readOutcome(path)
  if (outcome.sweepUid !== sweep.uid || outcome.sweepId !== sweep.id) {
    throw new InputError(path, `is a result of another sweep (sweep ${outcome.sweepId} of another store), not of sweep ${sweep.id}`)
  }
  return outcome
}

/**
 * Writes DIR/store.db, DIR/trials.txt, DIR/sweep-ID.sbatch, DIR/results/ and DIR/logs/. Into a folder used
 * before, trials whose result there says done are left out (they ran; collect them), and a failed result of a
 * trial exported again moves to results/earlier/ so that the new attempt's outcome is the one collected.
 */
export function exportSlurm(db: Db, sweepId: number, dir: string, options: SlurmOptions): SlurmExport {
  checkSlurmJobOptions(options)
  const sweep = requireSweep(db, sweepId)
  const statuses = options.statuses ?? ['queued', 'failed', 'cancelled']
  const candidates = listTrials(db, sweepId).filter((t) => statuses.includes(t.status)).map((t) => t.id)
  if (candidates.length === 0) throw new InputError(`sweep ${sweepId}`, `has no ${statuses.join(', ').replace(/, (\w+)$/, ' or $1')} trial to export`)
  const out = resolve(dir)
  // Everything is read and checked before anything is written.
  const doneInFolder: number[] = []
  const earlierFailed: string[] = []
  for (const id of candidates) {
    const path = resultFile(out, id)
    if (!existsSync(path)) continue
    if (requireOwnOutcome(path, sweep).status === 'done') doneInFolder.push(id)
    else earlierFailed.push(path)
  }
  const trials = candidates.filter((id) => !doneInFolder.includes(id))
  if (trials.length === 0) {
    throw new InputError(out, `already holds a done result of each exported trial of sweep ${sweepId}; merge them with \`workbench sweep collect ${sweepId} ${out}\``)
  }
  mkdirSync(join(out, 'results'), { recursive: true })
  mkdirSync(join(out, 'logs'), { recursive: true })
  // A consistent copy even while a runner writes to the store, moved into place whole: a task of an earlier
  // export starting now copies either the old snapshot or the new one, never half of one.
  const snapshot = join(out, 'store.db')
  const partial = `${snapshot}.${process.pid}.partial`
  rmSync(partial, { force: true })
  db.prepare('VACUUM INTO ?').run(partial)
  renameSync(partial, snapshot)
  if (earlierFailed.length > 0) mkdirSync(join(out, 'results', 'earlier'), { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  for (const path of earlierFailed) renameSync(path, join(out, 'results', 'earlier', `${stamp}-${basename(path)}`))
  writeFileSync(join(out, 'trials.txt'), `${trials.join('\n')}\n`)
  const script = join(out, `sweep-${sweepId}.sbatch`)
  writeFileSync(script, slurmScript({ sweepId, sweepUid: sweep.uid, dataset: sweep.dataset, dir: out, scriptPath: script, trials, command: options.command, job: options }), { mode: 0o755 })
  return { dir: out, script, trials, doneInFolder }
}

export interface TrialFileOptions {
  signal?: AbortSignal
  /** Training threads (a Slurm task passes its --cpus-per-task), unless the sweep's train config sets them. */
  threads?: number
  /** Train on this backend instead of the sweep's choice. */
  backend?: TrainBackend
}

/**
 * Runs one trial outside the queue (a cluster task) and writes its outcome file, with the run's checkpoints in
 * the folder `checkpointFolder(outFile)`; the outcome is also returned. A failed training — bad data on this
 * node included — is written as a failed outcome, as the local runner records it; an unknown trial is thrown,
 * and so is a cancel (SIGTERM: Slurm's time limit or scancel), which writes nothing.
 */
export async function runTrialToFile(ctx: SweepContext, trialId: number, outFile: string, options: TrialFileOptions = {}): Promise<TrialOutcome> {
  const trial = getTrial(ctx.db, trialId)
  if (!trial) throw new InputError(`trial ${trialId}`, 'no trial has this id')
  const sweep = requireSweep(ctx.db, trial.sweepId)
  const config = { ...trialConfig(sweep.definition, sweep.datasetId, trial.spec, trial.planId, options.threads), ...(options.backend ? { backend: options.backend } : {}) }
  const startedAt = new Date().toISOString()
  const base = { format: 'workbench-trial-outcome/1' as const, sweepUid: sweep.uid, sweepId: sweep.id, trialId, key: trial.key, config: config as Record<string, unknown>, startedAt }
  const checkpoints = checkpointFolder(outFile)
  rmSync(checkpoints, { recursive: true, force: true })
  let outcome: TrialOutcome
  try {
    const run = await trainRun({ db: ctx.db, workspace: ctx.workspace, runner: ctx.runner, ...(ctx.interpolate ? { interpolate: ctx.interpolate } : {}) }, config, options.signal ? { signal: options.signal } : {})
    trialMetrics(run.result)
    if (existsSync(dirname(run.result.checkpoint))) cpSync(dirname(run.result.checkpoint), checkpoints, { recursive: true })
    outcome = { ...base, config: run.config as unknown as Record<string, unknown>, status: 'done', result: run.result, error: null, finishedAt: new Date().toISOString() }
  } catch (err) {
    if (err instanceof CancelledError) throw err
    const error = isInputError(err) ? `${err.source}: ${err.problem}` : err instanceof Error ? err.message : String(err)
    outcome = { ...base, status: 'failed', result: null, error, finishedAt: new Date().toISOString() }
  }
  // Whole or not at all: collect may read the folder while tasks are still writing.
  const partial = `${outFile}.${process.pid}.partial`
  writeFileSync(partial, `${JSON.stringify(outcome)}\n`)
  renameSync(partial, outFile)
  return outcome
}
