import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { trainBackends, type TrainBackend } from '../../../shared/training'
import { defaultCpusPerTask, defaultSlurmTime, shellQuote, type SlurmJobOptions } from '../../core/sweeps/slurm-script'
import { oneOf, positiveInteger } from './parsers'

/** What `sweep export --slurm` and `sweep retry --slurm` take besides the folder. */
export interface SlurmFlags {
  command?: string
  time?: string
  mem?: string
  cpusPerTask?: number
  cpus?: number
  partition?: string
  gres?: string
  maxRunning?: number
  backend?: TrainBackend
}

/** Adds the Slurm job options (one `#SBATCH` line each) to a verb. */
export function addSlurmOptions(command: Command): Command {
  return command
    .option('--time <limit>', `time limit per task, in Slurm's formats (HH:MM:SS, D-HH:MM:SS, minutes; default ${defaultSlurmTime}); a task killed at it comes back as a failed trial that says so`)
    .option('--mem <size>', "memory per task, e.g. 8G (default: the cluster's)")
    .option('--cpus-per-task <n>', `CPUs per task; the trial trains with as many threads (default ${defaultCpusPerTask})`, positiveInteger('--cpus-per-task'))
    .option('--cpus <n>', 'the same as --cpus-per-task', positiveInteger('--cpus'))
    .option('--partition <name>', "the partition (default: the cluster's)")
    .option('--gres <list>', 'generic resources per task, e.g. gpu:1 (pair it with --backend webgpu or tensorflow)')
    .option('--max-running <n>', 'at most N tasks of the array at once (--array=…%N)', positiveInteger('--max-running'))
    .option('--backend <name>', `the backend each trial trains on: ${trainBackends.join(' | ')} (default: the first that works on the node)`, oneOf(trainBackends, '--backend'))
    .option('--command <cmd>', "how nodes run the workbench (default: this Node.js and this checkout's CLI, by absolute path)")
}

/** The Slurm flags given, as typed (e.g. --max-running). */
export function givenSlurmFlags(o: SlurmFlags): string[] {
  const names: (keyof SlurmFlags)[] = ['command', 'time', 'mem', 'cpusPerTask', 'cpus', 'partition', 'gres', 'maxRunning', 'backend']
  return names.filter((k) => o[k] !== undefined).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
}

/** The CLI entry nodes run: this checkout's bin.mjs, by absolute path, with the Node.js that runs this CLI. */
export function defaultNodeCommand(): string {
  const bin = fileURLToPath(new URL('../bin.mjs', import.meta.url))
  if (!existsSync(bin)) throw new Error(`the workbench CLI entry is not at ${bin}; pass --command`)
  return `${shellQuote(process.execPath)} ${shellQuote(bin)}`
}

/** The export options of the flags (absent flags left out: the defaults are the core's). */
export function slurmOptionsOf(o: SlurmFlags): SlurmJobOptions & { command: string } {
  const cpusPerTask = o.cpusPerTask ?? o.cpus
  return {
    command: o.command ?? defaultNodeCommand(),
    ...(o.time !== undefined ? { time: o.time } : {}),
    ...(o.mem !== undefined ? { mem: o.mem } : {}),
    ...(cpusPerTask !== undefined ? { cpusPerTask } : {}),
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(o.gres !== undefined ? { gres: o.gres } : {}),
    ...(o.maxRunning !== undefined ? { maxRunning: o.maxRunning } : {}),
    ...(o.backend !== undefined ? { backend: o.backend } : {}),
  }
}
