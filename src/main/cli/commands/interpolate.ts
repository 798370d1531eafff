import { InvalidArgumentError, type Command } from 'commander'
import { fusionRules, interpolationMethods, type InterpolationMethod } from '../../../shared/interpolation'
import { interpolatePlan } from '../../core/interpolation/plan-run'
import { interpolationQuality } from '../../core/interpolation/quality-table'
import { interpolationOnWorkers } from '../../workers/executors'
import { oneOf, parseSeed, positiveInteger } from './parsers'
import { printJson, printTable, progressBar, type CliIo } from '../output'
import { cancellable } from './cancellable'
import { withWorkbench } from './context'

const parseWorkers = positiveInteger('--workers')
const parseMethods = (v: string): InterpolationMethod[] => {
  const names = v === 'all' ? [...interpolationMethods] : v.split(',').map((s) => s.trim())
  for (const n of names) {
    if (!(interpolationMethods as readonly string[]).includes(n)) throw new InvalidArgumentError(`methods are ${interpolationMethods.join(', ')} (or all)`)
  }
  return names as InterpolationMethod[]
}
const parseDensities = (v: string): number[] => {
  const ds = v.split(',').map((s) => Number(s.trim()))
  if (ds.some((d) => !Number.isFinite(d))) throw new InvalidArgumentError(`--densities takes numbers separated by commas, got "${v}"`)
  return ds
}

const pct = (x: number): string => x.toFixed(3)

/** `workbench interpolate` and `workbench interp-quality`. */
export function registerInterpolationCommands(program: Command, io: CliIo): void {
  program
    .command('interpolate')
    .description("fill a plan's unannotated slices with interpolated masks and measure them against the human masks")
    .requiredOption('--plan <id>', 'plan id', positiveInteger('a plan id'))
    .requiredOption('--method <m>', interpolationMethods.join(' | '), oneOf(interpolationMethods, '--method'))
    .option('--fusion <rule>', `propagate only, where two fronts meet: ${fusionRules.join(' | ')}`, oneOf(fusionRules, '--fusion'), 'weighted')
    .option('--workers <n>', 'worker threads (default: one per core)', parseWorkers)
    .action(async (o: { plan: number; method: InterpolationMethod; fusion: 'first' | 'weighted'; workers?: number }, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const bar = progressBar(io, 'interpolate')
        const run = await cancellable((signal) =>
          interpolatePlan(
            { db: ctx.db, workspace: ctx.workspace, execute: interpolationOnWorkers, workers: o.workers, signal, onProgress: (d, t) => bar.update(d, t) },
            { planId: o.plan, method: o.method, fusion: o.fusion },
          ),
        ).finally(() => bar.end())
        if (global.json) return printJson(io, run)
        io.out(`run ${run.runId}: plan ${run.planId} interpolated with ${run.method}${run.fusion ? ` (${run.fusion} fusion)` : ''}; mean IoU ${pct(run.meanIoU)}, mean Dice ${pct(run.meanDice)}`)
        io.out(`masks in ${run.outDir}`)
        io.out(`quality by distance to the nearest annotated slice: ${run.byDistance.map((d) => `${d.distance}: ${pct(d.meanIoU)}`).join(', ')}`)
        printTable(
          io,
          ['volume', 'annotated', 'IoU', 'Dice', 'ms'],
          run.volumes.map((v) => [v.volume, v.annotated.length, pct(v.iou), pct(v.dice), Math.round(v.ms)]),
        )
      })
    })

  program
    .command('interp-quality')
    .description("the paper's Table 3 on a dataset: interpolated-mask IoU by annotation density, over all its volumes")
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--densities <list>', 'densities ρ, comma-separated', parseDensities, [0.05, 0.1, 0.2, 0.4, 0.8])
    .option('--method <m>', `${interpolationMethods.join(', ')}, a comma-separated list, or all`, parseMethods, [...interpolationMethods])
    .option('--fusion <rule>', `propagate only: ${fusionRules.join(' | ')}`, oneOf(fusionRules, '--fusion'), 'weighted')
    .option('--selection <s>', 'fixed | random', oneOf(['fixed', 'random'] as const, '--selection'), 'fixed')
    .option('--seed <n>', 'seed of random selection', parseSeed, 0)
    .option('--workers <n>', 'worker threads (default: one per core)', parseWorkers)
    .action(
      async (
        o: { dataset: string; densities: number[]; method: InterpolationMethod[]; fusion: 'first' | 'weighted'; selection: 'fixed' | 'random'; seed: number; workers?: number },
        command: Command,
      ) => {
        await withWorkbench(command, async (ctx, global) => {
          const bar = progressBar(io, 'interp-quality')
          const { runId, rows } = await cancellable((signal) =>
            interpolationQuality(
              { db: ctx.db, execute: interpolationOnWorkers, workers: o.workers, signal, onProgress: (d, t) => bar.update(d, t) },
              { dataset: o.dataset, densities: o.densities, methods: o.method, fusion: o.fusion, selection: o.selection, seed: o.seed },
            ),
          ).finally(() => bar.end())
          if (global.json) return printJson(io, { runId, rows })
          io.out(`interpolated-mask quality on ${o.dataset} (${o.selection} selection; run ${runId})`)
          printTable(
            io,
            ['density', 'method', 'mean IoU', 'mean Dice', 'volumes', 'ms/volume'],
            rows.map((r) => [r.density, r.method + (r.fusion ? ` (${r.fusion})` : ''), pct(r.meanIoU), pct(r.meanDice), r.volumes, r.msPerVolume.toFixed(1)]),
          )
        })
      },
    )
}
