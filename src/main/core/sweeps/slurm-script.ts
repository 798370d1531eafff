/**
 * The job-array script of a Slurm export, as text. Pure: every path and option comes in, the script goes out.
 * What a task does, and why:
 * - the trial comes from an array written into the script (Slurm keeps a copy of the script at submission, so a
 *   re-export into the same folder cannot shift the trials of an array still pending);
 * - it writes one header line to its stderr log (sweep, trial, array task, node, time limit, start) that
 *   `sweep collect` reads when a task left no result file: killed at its time limit, cancelled, or a node
 *   without Node.js all come back as failed trials with the reason;
 * - a trial whose result file already says done is not trained again;
 * - the store snapshot is copied to node-local scratch, which is removed when the task ends in any way
 *   but SIGKILL (Slurm sends SIGTERM first, at the time limit and on scancel);
 * - the workbench is named by absolute paths (Node.js and the checkout's CLI entry), or by `--command`, so the
 *   script runs from any submit folder and never asks a registry for a package.
 */
import type { TrainBackend } from '../../../shared/training'
import { InputError } from '../../../shared/errors'

/** What a cluster user sets per export (each an `#SBATCH` line, or what a task passes to `trial run`). */
export interface SlurmJobOptions {
  /** Per task, Slurm's formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. Default 04:00:00. */
  time?: string
  /** Memory per task (--mem), e.g. 8G; default: the cluster's. */
  mem?: string
  /** CPUs per task; default 4. A task trains with as many threads. */
  cpusPerTask?: number
  partition?: string
  /** Generic resources per task, e.g. `gpu:1` or `gpu:a100:2` (--gres). */
  gres?: string
  /** At most this many tasks of the array run at once (--array=…%N). */
  maxRunning?: number
  /** The backend every trial trains on (`trial run --backend`); default: the ladder on each node. */
  backend?: TrainBackend
}

export const defaultSlurmTime = '04:00:00'
export const defaultCpusPerTask = 4

/** The header line a task writes first to its stderr log; `parseTaskHeader` reads it back. */
export const taskHeaderPrefix = 'workbench task:'
/** The line the task writes last (from its EXIT trap). */
export const taskEndPrefix = 'workbench task ended: exit code'

const timePattern = /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/
const memPattern = /^\d+[KMGT]?$/i
const namePattern = /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/
const gresPattern = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*)*$/

/** Refuses an option Slurm would refuse (or that would break the script's `#SBATCH` line), naming it. */
export function checkSlurmJobOptions(o: SlurmJobOptions): void {
  const bad = (flag: string, value: unknown, problem: string): never => {
    throw new InputError(`${flag} ${String(value)}`, problem)
  }
  if (o.time !== undefined && !timePattern.test(o.time)) bad('--time', o.time, 'is not a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS)')
  if (o.mem !== undefined && !memPattern.test(o.mem)) bad('--mem', o.mem, 'is not a Slurm memory size (a number with K, M, G or T, e.g. 8G)')
  if (o.partition !== undefined && !namePattern.test(o.partition)) bad('--partition', o.partition, 'is not a partition name (letters, digits, _ . -; a comma between several)')
  if (o.gres !== undefined && !gresPattern.test(o.gres)) bad('--gres', o.gres, 'is not a Slurm generic resource list (e.g. gpu:1 or gpu:a100:2)')
  for (const [flag, n] of [['--cpus-per-task', o.cpusPerTask], ['--max-running', o.maxRunning]] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) bad(flag, n, 'is not a positive integer')
  }
}

/** A word for bash, single-quoted. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

export interface SlurmScriptInput {
  sweepId: number
  sweepUid: string
  dataset: string
  /** Absolute export folder (store.db, results/, logs/ inside). */
  dir: string
  /** The script's own path, for the comment that says how to submit it. */
  scriptPath: string
  trials: readonly number[]
  /** Shell text that runs the workbench CLI (words already quoted where needed). */
  command: string
  job: SlurmJobOptions
}

/** The `#!/bin/bash` job-array script; see the module comment. */
export function slurmScript(s: SlurmScriptInput): string {
  const time = s.job.time ?? defaultSlurmTime
  const cpus = s.job.cpusPerTask ?? defaultCpusPerTask
  const sbatch = [
    `--job-name=wb-sweep-${s.sweepId}`,
    `--array=0-${s.trials.length - 1}${s.job.maxRunning ? `%${s.job.maxRunning}` : ''}`,
    `--cpus-per-task=${cpus}`,
    `--time=${time}`,
    ...(s.job.mem ? [`--mem=${s.job.mem}`] : []),
    ...(s.job.partition ? [`--partition=${s.job.partition}`] : []),
    ...(s.job.gres ? [`--gres=${s.job.gres}`] : []),
    // Slurm writes no file whose folder is missing; the export made logs/ beside the script.
    `--output=${s.dir}/logs/%A_%a.out`,
    `--error=${s.dir}/logs/%A_%a.err`,
  ]
  const backend = s.job.backend ? ` --backend ${s.job.backend}` : ''
  return `#!/bin/bash
# Sweep ${s.sweepId} (${s.dataset}): ${s.trials.length} trial${s.trials.length === 1 ? '' : 's'} as a Slurm job array. Submit with: sbatch ${s.scriptPath}
# Each task copies the store snapshot to node-local scratch, trains one trial, writes results/trial-ID.json and its
# checkpoint folder results/trial-ID.checkpoint/, and removes its scratch; its stdout and stderr go to logs/.
# Merge the results afterwards with: workbench sweep collect ${s.sweepId} ${s.dir}
# The nodes need Node.js and the workbench at the paths below (or WORKBENCH='command' in the environment), and the
# data set's files at the paths the store names.
${sbatch.map((l) => `#SBATCH ${l}`).join('\n')}
set -uo pipefail
EXPORT_DIR=${shellQuote(s.dir)}
TRIALS=(${s.trials.join(' ')})
TRIAL=\${TRIALS[$SLURM_ARRAY_TASK_ID]}
RESULT="$EXPORT_DIR/results/trial-$TRIAL.json"
echo "${taskHeaderPrefix} sweep ${s.sweepId} (${s.sweepUid}) trial $TRIAL, array task \${SLURM_ARRAY_JOB_ID:-?}_$SLURM_ARRAY_TASK_ID on $(hostname), time limit ${time}, started $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&2
if grep -qs '"status":"done"' "$RESULT"; then
  echo "trial $TRIAL is done already ($RESULT): not trained again" >&2
  exit 0
fi
SCRATCH=$(mktemp -d "\${TMPDIR:-/tmp}/wb-sweep-${s.sweepId}-trial-$TRIAL.XXXXXX") || exit 1
finish() { code=$?; rm -rf "$SCRATCH"; echo "${taskEndPrefix} $code" >&2; }
trap finish EXIT
trap 'exit 143' TERM
cp "$EXPORT_DIR/store.db" "$SCRATCH/store.db" || exit 1
cd "$SCRATCH" || exit 1
workbench() { ${s.command} "$@"; }
if [ -n "\${WORKBENCH:-}" ]; then workbench() { $WORKBENCH "$@"; }; fi
workbench --db "$SCRATCH/store.db" --workspace "$SCRATCH/workspace" --no-sample trial run "$TRIAL" --threads "\${SLURM_CPUS_PER_TASK:-${cpus}}"${backend} --out "$RESULT"
`
}

/** What a task's header line says. */
export interface TaskHeader {
  sweepId: number
  sweepUid: string
  trialId: number
  arrayTask: string
  node: string
  timeLimit: string
  startedAt: string
}

const headerPattern = /^workbench task: sweep (\d+) \((\S+)\) trial (\d+), array task (\S+) on (\S+), time limit (\S+), started (\S+)$/m

/** The header line of a task's stderr log (normally its first line), or null when the log has none. */
export function parseTaskHeader(log: string): TaskHeader | null {
  const m = headerPattern.exec(log)
  if (!m) return null
  return { sweepId: Number(m[1]), sweepUid: m[2]!, trialId: Number(m[3]), arrayTask: m[4]!, node: m[5]!, timeLimit: m[6]!, startedAt: m[7]! }
}
