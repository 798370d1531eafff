import type { Command } from 'commander'
import { getRun, listRuns } from '../../core/store/runs-repo'
import { InputError } from '../../../shared/errors'
import type { RunRecord } from '../../../shared/run'
import { runSummary } from '../../../shared/run-summary'
import { printJson, printTable, type CliIo } from '../output'
import { withWorkbench } from './context'
import { positiveInteger } from './parsers'
import { confirmAndRemove, withRemoveOptions, type RemoveOptions } from './remove'

/** `workbench runs`, `runs show ID` and `runs remove ID`: the experiment history. */
export function registerRunsCommand(program: Command, io: CliIo): void {
  const runs = program
    .command('runs')
    .description('the experiment history: training and interpolation runs, newest first')
    .option('--kind <kind>', 'only runs of this kind (training, interpolation, …)')
    .action(async (o: { kind?: string }, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        const list = listRuns(ctx.db, o.kind === undefined ? {} : { kind: o.kind })
        if (global.json) return printJson(io, list)
        if (list.length === 0) return io.out('no runs yet')
        printTable(
          io,
          ['id', 'kind', 'status', 'dataset', 'seed', 'created', 'summary'],
          list.map((r) => [r.id, r.kind, r.status, datasetLabel(r), r.seed ?? '', r.createdAt.slice(0, 19).replace('T', ' '), r.error ? `${runSummary(r)} — ${r.error.split('\n')[0] ?? ''}` : runSummary(r)]),
        )
      })
    })
  runs
    .command('show <id>')
    .description('one run: its config, status and result')
    .action(async (id: string, _o: unknown, command: Command) => {
      const runId = positiveInteger('a run id')(id)
      await withWorkbench(command, (ctx) => {
        const run = getRun(ctx.db, runId)
        if (!run) throw new InputError(`run ${runId}`, 'no run has this id')
        printJson(io, run)
      })
    })
  withRemoveOptions(
    runs
      .command('remove <id>')
      .description("remove a finished run with its checkpoints or masks (a sweep's trial goes with its sweep)"),
  ).action(async (id: string, options: RemoveOptions, command: Command) => {
    const runId = positiveInteger('a run id')(id)
    await withWorkbench(command, (ctx, global) => confirmAndRemove(io, global, options, (dryRun) => ctx.handlers['runs:remove']({ runId, dryRun })))
  })
}

/** The dataset column: its name, marked when the dataset was removed since (the run stays, its dataset id unset). */
function datasetLabel(run: RunRecord): string {
  const name = typeof run.config.dataset === 'string' ? run.config.dataset : ''
  if (run.datasetId !== null) return name || String(run.datasetId)
  return name ? `${name} (removed)` : ''
}
