/**
 * Beyond one machine: trials are independent, so a sweep can run as a Slurm job array. `exportSlurm`
 * writes a snapshot of the store, the list of trials and a job-array script whose tasks each copy the
 * snapshot to node-local scratch and run `workbench trial run ID --out FILE`; `collectResults` merges the
 * result files back, refusing (before storing anything) a file that belongs to another sweep.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InputError } from '../../../shared/errors'
import { TrialOutcomeSchema, type TrialOutcome, type TrialStatus } from '../../../shared/sweep'
import { CancelledError } from '../execution'
import { immediate, type Db } from '../store/database'
import { createRun, failRun, finishRun, startRun } from '../store/runs-repo'
import { getTrial, listTrials, recordTrialOutcome } from '../store/sweeps-repo'
import { trainRun } from '../training/run-training'
import { requireSweep } from './control'
import type { SweepContext } from './run-sweep'
import { trialConfig, trialMetrics } from './trial-config'

export interface SlurmExport {
  dir: string
  script: string
  trials: number[]
}

export interface SlurmOptions {
  /** Trials of these statuses are exported (default: queued and failed). */
  statuses?: readonly TrialStatus[]
  /** The command that runs the workbench on the nodes (default: `npx workbench`, from the checkout). */
  command?: string
  cpusPerTask?: number
  time?: string
}

/** Writes DIR/store.db, DIR/trials.txt, DIR/sweep-ID.sbatch and DIR/results/; see the module comment. */
export function exportSlurm(db: Db, sweepId: number, dir: string, options: SlurmOptions = {}): SlurmExport {
  const sweep = requireSweep(db, sweepId)
  const statuses = options.statuses ?? ['queued', 'failed']
  const trials = listTrials(db, sweepId).filter((t) => statuses.includes(t.status)).map((t) => t.id)
  if (trials.length === 0) throw new InputError(`sweep ${sweepId}`, `has no ${statuses.join(' or ')} trial to export`)
  const out = resolve(dir)
  mkdirSync(join(out, 'results'), { recursive: true })
  mkdirSync(join(out, 'logs'), { recursive: true })
  const snapshot = join(out, 'store.db')
  rmSync(snapshot, { force: true })
  // A consistent copy even while a runner writes to the store.
  db.prepare('VACUUM INTO ?').run(snapshot)
  writeFileSync(join(out, 'trials.txt'), `${trials.join('\n')}\n`)
  const script = join(out, `sweep-${sweepId}.sbatch`)
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  writeFileSync(
    script,
    `#!/bin/bash
# Sweep ${sweepId} (${sweep.dataset}): ${trials.length} trials as a Slurm job array. Submit with: sbatch ${script}
# Each task copies the store snapshot to node-local scratch, trains one trial and writes results/trial-ID.json;
# merge them afterwards with: workbench sweep collect ${sweepId} ${out}
# The data set's files must be readable on the nodes at the paths the store names.
#SBATCH --job-name=wb-sweep-${sweepId}
#SBATCH --array=0-${trials.length - 1}
#SBATCH --cpus-per-task=${options.cpusPerTask ?? 4}
#SBATCH --time=${options.time ?? '04:00:00'}
#SBATCH --output=${out}/logs/%A_%a.out
set -euo pipefail
EXPORT_DIR=${q(out)}
WORKBENCH=\${WORKBENCH:-${q(options.command ?? 'npx workbench')}}
TRIAL=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$EXPORT_DIR/trials.txt")
SCRATCH="\${TMPDIR:-/tmp}/wb-sweep-${sweepId}-\${SLURM_ARRAY_TASK_ID}"
mkdir -p "$SCRATCH"
cp "$EXPORT_DIR/store.db" "$SCRATCH/store.db"
$WORKBENCH --db "$SCRATCH/store.db" --workspace "$SCRATCH/workspace" --no-sample trial run "$TRIAL" --out "$EXPORT_DIR/results/trial-$TRIAL.json"
`,
    { mode: 0o755 },
  )
  return { dir: out, script, trials }
}

/**
 * Runs one trial outside the queue (a cluster task) and writes its outcome file; the outcome is also
 * returned. A training failure is written as a failed outcome, not thrown; bad input is thrown.
 */
export async function runTrialToFile(ctx: SweepContext, trialId: number, outFile: string, options: { signal?: AbortSignal } = {}): Promise<TrialOutcome> {
  const trial = getTrial(ctx.db, trialId)
  if (!trial) throw new InputError(`trial ${trialId}`, 'no trial has this id')
  const sweep = requireSweep(ctx.db, trial.sweepId)
  const config = trialConfig(sweep.definition, sweep.datasetId, trial.spec, trial.planId)
  const startedAt = new Date().toISOString()
  const base = { format: 'workbench-trial-outcome/1' as const, sweepUid: sweep.uid, sweepId: sweep.id, trialId, key: trial.key, config: config as Record<string, unknown>, startedAt }
  let outcome: TrialOutcome
  try {
    const run = await trainRun({ db: ctx.db, workspace: ctx.workspace, runner: ctx.runner, ...(ctx.interpolate ? { interpolate: ctx.interpolate } : {}) }, config, options.signal ? { signal: options.signal } : {})
    trialMetrics(run.result)
    outcome = { ...base, config: run.config as unknown as Record<string, unknown>, status: 'done', result: run.result, error: null, finishedAt: new Date().toISOString() }
  } catch (err) {
    if (err instanceof CancelledError || err instanceof InputError) throw err
    outcome = { ...base, status: 'failed', result: null, error: err instanceof Error ? err.message : String(err), finishedAt: new Date().toISOString() }
  }
  writeFileSync(outFile, `${JSON.stringify(outcome)}\n`)
  return outcome
}

export interface CollectSummary {
  collected: number
  failed: number
  /** Outcomes of trials already done in this store (kept as they are). */
  skipped: number
}

/** Merges result files (DIR/results/*.json, or DIR/*.json) into the store; see the module comment. */
export function collectResults(db: Db, sweepId: number, dir: string): CollectSummary {
  const sweep = requireSweep(db, sweepId)
  const folder = existsSync(join(dir, 'results')) ? join(dir, 'results') : dir
  if (!existsSync(folder)) throw new InputError(dir, 'does not exist')
  const files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort()
  if (files.length === 0) throw new InputError(folder, 'holds no result file (*.json)')
  const trials = new Map(listTrials(db, sweepId).map((t) => [t.id, t]))
  // Everything is checked before anything is stored.
  const outcomes = files.map((f) => {
    const path = join(folder, f)
    let parsed: TrialOutcome
    try {
      parsed = TrialOutcomeSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
    } catch (e) {
      throw new InputError(path, `is not a trial result file: ${(e as Error).message.split('\n')[0]}`)
    }
    if (parsed.sweepUid !== sweep.uid || parsed.sweepId !== sweepId) {
      throw new InputError(path, `is a result of another sweep (sweep ${parsed.sweepId} of another store), not of sweep ${sweepId}`)
    }
    const trial = trials.get(parsed.trialId)
    if (!trial || trial.key !== parsed.key) throw new InputError(path, `names trial ${parsed.trialId} (${parsed.key}), which sweep ${sweepId} does not have`)
    return { path, outcome: parsed, trial }
  })
  const summary: CollectSummary = { collected: 0, failed: 0, skipped: 0 }
  const seen = new Set<number>()
  immediate(db, () => {
    for (const { outcome, trial } of outcomes) {
      // Re-read inside the write lock: a runner beside us may have finished this trial since the files were checked.
      if (getTrial(db, trial.id)?.status === 'done' || seen.has(trial.id)) {
        summary.skipped++
        continue
      }
      seen.add(trial.id)
      const runId = createRun(db, { kind: 'training', datasetId: sweep.datasetId, seed: trial.spec.seed, config: { ...outcome.config, dataset: sweep.dataset, collectedFrom: 'cluster' } })
      startRun(db, runId)
      if (outcome.status === 'done' && outcome.result) {
        finishRun(db, runId, outcome.result)
        recordTrialOutcome(db, trial.id, { status: 'done', runId, backend: outcome.result.backend, metrics: trialMetrics(outcome.result), error: null, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt })
        summary.collected++
      } else {
        failRun(db, runId, outcome.error ?? 'failed on the cluster')
        recordTrialOutcome(db, trial.id, { status: 'failed', runId, backend: null, metrics: null, error: outcome.error, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt })
        summary.failed++
      }
    }
  })
  return summary
}
