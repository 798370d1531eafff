import { InvalidArgumentError, type Command } from 'commander'
import { adviseBudget } from '../../core/planning/plans'
import { parseSeed } from './parsers'
import { printJson, printTable, type CliIo } from '../output'
import { withWorkbench } from './context'

const parsePositive = (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got "${value}"`)
  return n
}

/** `workbench budget --dataset NAME --slices B`: every (ρ, s) that spends B, and the paper's advice. */
export function registerBudgetCommand(program: Command, io: CliIo): void {
  program
    .command('budget')
    .description('for a budget of annotated slices, every (density ρ, volume count s) that spends it, with a recommendation')
    .requiredOption('--dataset <name>', 'the dataset')
    .requiredOption('--slices <B>', 'the budget in annotated slices', parsePositive)
    .option('--tolerance <t>', 'accepted relative deviation from the budget', parsePositive, 0.1)
    .option('--min-density-3d <rho>', 'lowest density recommended for 3D models', parsePositive, 0.1)
    .option('--seed <n>', 'seed of the volume subsets (as in `workbench plan`)', parseSeed, 0)
    .action(async (o: { dataset: string; slices: number; tolerance: number; minDensity3d: number; seed: number }, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        const advice = adviseBudget(ctx.db, { dataset: o.dataset, slices: o.slices, tolerance: o.tolerance, minDensity3d: o.minDensity3d, seed: o.seed })
        if (global.json) return printJson(io, advice)
        io.out(`budget ${advice.budget} slices of ${advice.trainSlices} training slices in ${advice.trainVolumes} volumes; ${advice.options.length} ways to spend it:`)
        printTable(
          io,
          ['volumes', 's', 'ρ', 'slices/volume', 'total', 'off by'],
          advice.options.map((p) => [
            p.volumes,
            p.volumeFraction.toFixed(3),
            p.density.toFixed(3),
            p.slicesPerVolume.min === p.slicesPerVolume.max ? p.slicesPerVolume.min : `${p.slicesPerVolume.min}–${p.slicesPerVolume.max}`,
            p.totalSlices,
            `${(p.deviation * 100).toFixed(1)} %`,
          ]),
        )
        const r = advice.recommended
        const show = (x: typeof r.model2d): string => (x ? `${x.volumes} volumes at ρ ${x.density.toFixed(3)} (s ${x.volumeFraction.toFixed(3)})` : 'none of these')
        io.out(`recommended for 2D models: ${show(r.model2d)}; for 3D models: ${show(r.model3d)}`)
        io.out(advice.rationale)
      })
    })
}
