import type { Command } from 'commander'
import type { RunRecord } from '../../../shared/run'
import { getRun, listRuns } from '../../core/store/runs-repo'
import { InputError } from '../../../shared/errors'
import { printJson, printTable, type CliIo } from '../output'
import { withWorkbench } from './context'
import { positiveInteger } from './parsers'

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})

/** One line about what a run did and what it reached, whatever its kind. */
export function runSummary(run: RunRecord): string {
  const c = run.config
  const r = obj(run.result)
  if (run.kind === 'training') {
    const model = obj(c.model)
    const evaluation = obj(r.evaluation)
    const dice = num(evaluation.meanDice)
    const what = `${String(model.kind ?? '?')} ${c.planId ? `plan ${String(c.planId)}` : 'dense'}${c.interpolated ? ` (${String(c.interpolated)} masks)` : ''}, ${String(c.steps ?? '?')} steps`
    return dice === undefined ? what : `${what}; test Dice ${dice.toFixed(3)} (${String(r.backend ?? '?')}, ${(num(obj(r.timings).msPerStep) ?? 0).toFixed(0)} ms/step)`
  }
  if (run.kind === 'interpolation') {
    const iou = num(r.meanIoU)
    return `plan ${String(c.planId ?? '?')} ${String(c.method ?? '?')}${iou === undefined ? '' : `; mean IoU ${iou.toFixed(3)}`}`
  }
  return ''
}

/** `workbench runs` and `workbench runs show ID`: the experiment history. */
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
          list.map((r) => [r.id, r.kind, r.status, String(r.config.dataset ?? r.datasetId ?? ''), r.seed ?? '', r.createdAt.slice(0, 19).replace('T', ' '), r.error ? `${runSummary(r)} — ${r.error.split('\n')[0] ?? ''}` : runSummary(r)]),
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
}
