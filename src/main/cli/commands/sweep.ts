import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { InputError } from '../../../shared/errors'
import type { SweepProgress, SweepStatus } from '../../../shared/sweep'
import { interpolatePlan } from '../../core/interpolation/plan-run'
import { exportSlurm, type SlurmExport } from '../../core/sweeps/cluster'
import { collectResults } from '../../core/sweeps/cluster-collect'
import { cancelSweep, requireSweep, resumeSweep, retryFailed, sweepStatus } from '../../core/sweeps/control'
import { createSweep } from '../../core/sweeps/create-sweep'
import { sweepPreset, sweepPresets } from '../../core/sweeps/presets'
import { runSweep, type SweepContext, type SweepRunSummary } from '../../core/sweeps/run-sweep'
import { listSweeps } from '../../core/store/sweeps-repo'
import type { WorkbenchContext } from '../../app/open-workbench'
import { interpolationOnWorkers } from '../../workers/executors'
import { trainOnWorker } from '../../workers/train-runner'
import { printJson, printTable, progressBar, UsageError, VerbExit, type CliIo } from '../output'
import { withWorkbench } from './context'
import { positiveInteger } from './parsers'
import { confirmAndRemove, withRemoveOptions, type RemoveOptions } from './remove'
import { addSlurmOptions, givenSlurmFlags, slurmOptionsOf, type SlurmFlags } from './slurm-options'

/** A --grid file: a sweep definition ({ grid, train, notes }) or a bare grid. */
function readGridFile(path: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(path, code ? `cannot be read (${code})` : `is not JSON: ${(e as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(path, 'is not a JSON object')
  const o = value as Record<string, unknown>
  return 'grid' in o ? o : { grid: o }
}

/** The runner of the CLI: trials on worker threads; M.I. trials interpolate their plan first when needed. */
export function sweepContext(ctx: WorkbenchContext, signal?: AbortSignal): SweepContext {
  return {
    db: ctx.db,
    workspace: ctx.workspace,
    runner: trainOnWorker,
    interpolate: (planId, method) => interpolatePlan({ db: ctx.db, workspace: ctx.workspace, execute: interpolationOnWorkers, ...(signal ? { signal } : {}) }, { planId, method }),
  }
}

function printCounts(io: CliIo, status: SweepStatus): void {
  const c = status.counts
  io.out(`sweep ${status.sweep.id} (${status.sweep.dataset}${status.sweep.definition.preset ? `, ${status.sweep.definition.preset}` : ''})${status.sweep.cancelled ? ' cancelled' : ''}: ${c.done} done, ${c.running} running, ${c.queued} queued, ${c.failed} failed, ${c.cancelled} cancelled of ${c.total}`)
}

/** Runs queued trials with a progress bar; Ctrl+C pauses (running trials re-queued; `sweep resume` goes on). */
async function runWithProgress(io: CliIo, ctx: WorkbenchContext, sweepId: number, options: { workers?: number; onlyTrialIds?: readonly number[] }): Promise<SweepRunSummary> {
  const controller = new AbortController()
  const onSignal = (): void => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const bar = progressBar(io, `sweep ${sweepId}`)
  const describe = (p: SweepProgress): string => {
    const eta = p.etaSeconds === null ? '' : ` · ETA ${Math.round(p.etaSeconds / 60)} min`
    const running = p.running.map((r) => `#${r.trialId} ${r.step}/${r.steps}`).join(' ')
    return `${p.counts.failed ? `${p.counts.failed} failed · ` : ''}${running}${eta}`
  }
  try {
    const summary = await runSweep(sweepContext(ctx, controller.signal), sweepId, {
      ...options,
      signal: controller.signal,
      onProgress: (p) => bar.update(p.finished, p.counts.total, describe(p)),
    })
    return summary
  } finally {
    bar.end()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/**
 * Prints the outcome of a run, then ends the verb with its exit code: 130 when Ctrl+C paused it, 1 when any
 * trial of the sweep is failed (a script must not read "all trials failed" as success), else 0.
 */
function report(io: CliIo, json: boolean | undefined, ctx: WorkbenchContext, summary: SweepRunSummary): void {
  const status = sweepStatus(ctx.db, summary.sweepId)
  if (json) printJson(io, { ...summary, status })
  else {
    printCounts(io, status)
    io.out(`ran ${summary.ran} trial${summary.ran === 1 ? '' : 's'} in ${(summary.wallMs / 1000).toFixed(1)} s${summary.stopped ? ` (${summary.stopped})` : ''}`)
    for (const t of status.trials.filter((t) => t.status === 'failed')) io.out(`failed: trial ${t.id} ${t.key}: ${t.error ?? ''}`)
  }
  if (summary.stopped === 'paused') throw new VerbExit(130)
  if (status.counts.failed > 0) throw new VerbExit(1)
}

interface RunOptions {
  workers?: number
}

/** What to do after an export: submit, then collect. */
function printExport(io: CliIo, sweepId: number, exported: SlurmExport): void {
  const n = exported.trials.length
  const left = exported.doneInFolder.length
  io.out(`${n} trial${n === 1 ? '' : 's'} exported${left ? ` (${left} done in ${exported.dir} already, not exported again)` : ''}; submit with: sbatch ${exported.script}`)
  io.out(`then merge the results with: workbench sweep collect ${sweepId} ${exported.dir}`)
}

/** `workbench sweep …`. */
export function registerSweepCommands(program: Command, io: CliIo): void {
  const sweep = program.command('sweep').description('experiment sweeps: a grid of plans × models × seeds, trained and compared')

  sweep
    .command('create')
    .description('create a sweep from a preset or a grid file (plans resolved, trials queued)')
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--preset <name>', Object.keys(sweepPresets).join(' | '))
    .option('--grid <file>', 'a JSON sweep definition { grid, train } or a bare grid (src/shared/sweep.ts)')
    .action(async (o: { dataset: string; preset?: string; grid?: string }, command: Command) => {
      if ((o.preset === undefined) === (o.grid === undefined)) throw new UsageError('sweep create takes one of --preset or --grid')
      await withWorkbench(command, async (ctx, global) => {
        const definition = o.preset !== undefined ? sweepPreset(o.preset) : readGridFile(o.grid as string)
        const created = await createSweep(ctx.db, { dataset: o.dataset, definition, ...(o.grid === undefined ? {} : { file: o.grid }) })
        if (global.json) return printJson(io, created)
        io.out(`sweep ${created.sweepId}: ${created.trials} trials queued (${created.plansCreated} plans made, ${created.plansReused} reused); run it with \`workbench sweep run ${created.sweepId}\``)
      })
    })

  sweep
    .command('list')
    .description('list sweeps')
    .action(async (_o: unknown, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const rows = listSweeps(ctx.db).map((s) => sweepStatus(ctx.db, s.id))
        if (global.json) return printJson(io, rows.map((r) => ({ sweep: r.sweep, counts: r.counts })))
        printTable(io, ['id', 'dataset', 'preset', 'done', 'failed', 'queued', 'total'], rows.map((r) => [r.sweep.id, r.sweep.dataset, r.sweep.definition.preset ?? '-', r.counts.done, r.counts.failed, r.counts.queued + r.counts.running, r.counts.total]))
      })
    })

  for (const verb of ['run', 'resume'] as const) {
    sweep
      .command(`${verb} <id>`)
      .description(verb === 'run' ? 'run the queued trials (Ctrl+C pauses; run again to go on)' : 're-queue cancelled and interrupted trials, then run')
      .option('--workers <n>', 'trials in flight at once (default: one per core)', positiveInteger('--workers'))
      .action(async (id: string, o: RunOptions, command: Command) => {
        const sweepId = positiveInteger('the sweep id')(id)
        await withWorkbench(command, async (ctx, global) => {
          requireSweep(ctx.db, sweepId)
          if (verb === 'resume') resumeSweep(ctx.db, sweepId)
          const summary = await runWithProgress(io, ctx, sweepId, o.workers ? { workers: o.workers } : {})
          report(io, global.json, ctx, summary)
        })
      })
  }

  const retry = sweep
    .command('retry <id>')
    .description('re-run the failed trials alone (here, or with --slurm DIR as a Slurm job array)')
    .option('--workers <n>', 'trials in flight at once (default: one per core)', positiveInteger('--workers'))
    .option('--slurm <dir>', 'export the failed trials alone as a Slurm job array into DIR (as `sweep export` does) instead of running them here')
  addSlurmOptions(retry).action(async (id: string, o: RunOptions & SlurmFlags & { slurm?: string }, command: Command) => {
    const sweepId = positiveInteger('the sweep id')(id)
    if (o.slurm === undefined && givenSlurmFlags(o).length > 0) throw new UsageError(`sweep retry takes ${givenSlurmFlags(o).join(', ')} only with --slurm DIR`)
    await withWorkbench(command, async (ctx, global) => {
      if (o.slurm !== undefined) {
        // The store keeps them failed until their new outcomes are collected.
        if (sweepStatus(ctx.db, sweepId).counts.failed === 0) return global.json ? printJson(io, { sweepId, retried: 0 }) : io.out(`sweep ${sweepId} has no failed trial`)
        const exported = exportSlurm(ctx.db, sweepId, o.slurm, { ...slurmOptionsOf(o), statuses: ['failed'] })
        return global.json ? printJson(io, exported) : printExport(io, sweepId, exported)
      }
      const ids = retryFailed(ctx.db, sweepId)
      if (ids.length === 0) {
        if (global.json) return printJson(io, { sweepId, retried: 0, status: sweepStatus(ctx.db, sweepId) })
        return io.out(`sweep ${sweepId} has no failed trial`)
      }
      const summary = await runWithProgress(io, ctx, sweepId, { onlyTrialIds: ids, ...(o.workers ? { workers: o.workers } : {}) })
      report(io, global.json, ctx, summary)
    })
  })

  sweep
    .command('status <id>')
    .description('trial counts, and each trial with its status, time and score')
    .action(async (id: string, _o: unknown, command: Command) => {
      const sweepId = positiveInteger('the sweep id')(id)
      await withWorkbench(command, async (ctx, global) => {
        const status = sweepStatus(ctx.db, sweepId)
        if (global.json) return printJson(io, status)
        printCounts(io, status)
        printTable(
          io,
          ['trial', 'status', 'key', 'slices', 'IoU', 'Dice', 'backend', 'run', 'error'],
          status.trials.map((t) => [t.id, t.status, t.key, t.budget, t.metrics?.meanIou.toFixed(3) ?? '-', t.metrics?.meanDice.toFixed(3) ?? '-', t.backend ?? '-', t.runId ?? '-', t.error ?? '']),
        )
      })
    })

  withRemoveOptions(
    sweep.command('remove <id>').description('remove a sweep with its trials and their training runs (refused while a trial runs; its plans stay)'),
  ).action(async (id: string, options: RemoveOptions, command: Command) => {
    const sweepId = positiveInteger('the sweep id')(id)
    await withWorkbench(command, (ctx, global) => confirmAndRemove(io, global, options, (dryRun) => ctx.handlers['sweeps:remove']({ sweepId, dryRun })))
  })

  sweep
    .command('cancel <id>')
    .description('cancel a sweep: queued trials cancelled now, a runner working on it stops its trials')
    .action(async (id: string, _o: unknown, command: Command) => {
      const sweepId = positiveInteger('the sweep id')(id)
      await withWorkbench(command, async (ctx, global) => {
        const cancelled = cancelSweep(ctx.db, sweepId)
        if (global.json) return printJson(io, { sweepId, cancelled, status: sweepStatus(ctx.db, sweepId).counts })
        io.out(`sweep ${sweepId} cancelled (${cancelled} queued trial${cancelled === 1 ? '' : 's'}); \`workbench sweep resume ${sweepId}\` goes on`)
      })
    })

  const exportVerb = sweep
    .command('export <id>')
    .description('write a Slurm job array (and a store snapshot) that runs the queued, failed and cancelled trials on a cluster')
    .requiredOption('--slurm <dir>', 'folder for the script, the snapshot, the result files and the task logs')
  addSlurmOptions(exportVerb).action(async (id: string, o: SlurmFlags & { slurm: string }, command: Command) => {
    const sweepId = positiveInteger('the sweep id')(id)
    await withWorkbench(command, async (ctx, global) => {
      const exported = exportSlurm(ctx.db, sweepId, o.slurm, slurmOptionsOf(o))
      return global.json ? printJson(io, exported) : printExport(io, sweepId, exported)
    })
  })

  sweep
    .command('collect <id> <dir>')
    .description("merge an export folder's result files, checkpoints and ended tasks (time limit, scancel) into the store")
    .action(async (id: string, dir: string, _o: unknown, command: Command) => {
      const sweepId = positiveInteger('the sweep id')(id)
      await withWorkbench(command, async (ctx, global) => {
        const summary = collectResults(ctx, sweepId, dir)
        if (global.json) return printJson(io, { sweepId, ...summary })
        const running = summary.unfinished.length ? `, ${summary.unfinished.length} still running (trial ${summary.unfinished.join(', ')})` : ''
        io.out(`sweep ${sweepId}: ${summary.collected} trials collected (${summary.checkpoints} checkpoints), ${summary.failed} failed on the cluster, ${summary.skipped} already here${running}`)
        for (const t of sweepStatus(ctx.db, sweepId).trials.filter((t) => t.status === 'failed')) io.out(`failed: trial ${t.id} ${t.key}: ${t.error ?? ''}`)
      })
    })
}
