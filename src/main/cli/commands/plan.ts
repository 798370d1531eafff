import { InvalidArgumentError, type Command } from 'commander'
import { featureExtractors, selectionMethods, selectionRules, selectionScopes, type Plan } from '../../../shared/plan'
import { exportPlan, exportFormats, type ExportFormat } from '../../core/planning/exchange'
import { countAnnotatedForeground, foregroundSentence } from '../../../shared/plan-foreground'
import { volumeForeground } from '../../core/datasets/volume-views'
import { importPlan } from '../../core/planning/import-plan'
import { createPlan, requireDataset, requirePlan } from '../../core/planning/plans'
import type { Db } from '../../core/store/database'
import { listPlans } from '../../core/store/plans-repo'
import { oneOf, parseSeed, positiveInteger } from './parsers'
import { printJson, printTable, UsageError, type CliIo } from '../output'
import { withWorkbench } from './context'
import { confirmAndRemove, withRemoveOptions, type RemoveOptions } from './remove'

const parseFraction = (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number in (0, 1], got "${value}"`)
  return n
}
const parseId = positiveInteger('a plan id')

/** The one-line description of a plan for text output. */
function describePlan(plan: Plan): string {
  const how = plan.method === 'representative' ? `representative (${plan.features}, ${plan.rule}, ${plan.scope} scope)` : plan.method
  return `plan ${plan.planId} on ${plan.dataset}: ρ=${+plan.density.toFixed(4)} s=${+plan.volumes.toFixed(4)} ${how}, seed ${plan.seed}; ${plan.items.length} volumes, ${plan.totalSlices} slices`
}

/**
 * The plan as text: its description, how many annotated slices hold the object in the human mask (read from the
 * label files), and per volume its slices, how many of them hold the object, and their indices.
 */
function printPlan(io: CliIo, db: Db, plan: Plan): void {
  io.out(describePlan(plan))
  const dataset = requireDataset(db, plan.dataset)
  const foreground = volumeForeground(dataset, plan.items.map((i) => i.volumeId))
  const counts = countAnnotatedForeground(plan.items, foreground)
  const total = counts.withForeground + counts.withoutForeground
  io.out(`${foregroundSentence(counts)}${total ? `: ${((100 * counts.withForeground) / total).toFixed(1)} % hold the object` : ''}`)
  const objectSlices = new Map(foreground.map((f) => [f.volumeId, new Set(f.slices)]))
  printTable(
    io,
    ['volume', 'slices', 'of', 'with object', 'annotated slice indices'],
    plan.items.map((i) => [i.volume, i.slices.length, i.sliceCount, i.slices.filter((s) => objectSlices.get(i.volumeId)?.has(s)).length, i.slices.join(' ')]),
  )
}

/** `workbench plan …`, `plan show|export|import`, and `workbench plans`. */
export function registerPlanCommands(program: Command, io: CliIo): void {
  const plan = program
    .command('plan')
    .description('choose which training volumes and which slices to annotate (and show, export or import plans)')
    .option('--dataset <name>', 'the dataset')
    .option('--density <rho>', 'annotation density ρ in (0, 1]: fraction of slices annotated in each selected volume', parseFraction)
    .option('--volumes <s>', 'volume count s in (0, 1]: fraction of the training volumes selected', parseFraction)
    .option('--method <method>', `slice selection: ${selectionMethods.join(' | ')}`, oneOf(selectionMethods, '--method'))
    .option('--features <f>', `features for representative selection: ${featureExtractors.join(' | ')}`, oneOf(featureExtractors, '--features'), 'pca')
    .option('--rule <r>', `representative rule: ${selectionRules.join(' | ')}`, oneOf(selectionRules, '--rule'), 'kcenter')
    .option('--scope <scope>', `per volume, or one budget across the dataset: ${selectionScopes.join(' | ')}`, oneOf(selectionScopes, '--scope'), 'volume')
    .option('--subsets <mode>', 'volume subsets: nested | independent', oneOf(['nested', 'independent'] as const, '--subsets'), 'nested')
    .option('--offset <f>', 'fixed interval: position of the first slice within its interval, 0…1 (0.5 = centred)', Number, 0.5)
    .option('--seed <n>', 'seed of every random choice', parseSeed, 0)
    .action(async (o: Record<string, unknown>, command: Command) => {
      for (const required of ['dataset', 'density', 'volumes', 'method']) {
        if (o[required] === undefined) throw new UsageError(`workbench plan needs --${required} (see workbench plan --help)`)
      }
      await withWorkbench(command, async (ctx, global) => {
        const { plan: made, reused } = await createPlan(ctx.db, {
          dataset: String(o.dataset),
          density: Number(o.density),
          volumeFraction: Number(o.volumes),
          method: o.method as Plan['method'] & (typeof selectionMethods)[number],
          features: o.features as (typeof featureExtractors)[number],
          rule: o.rule as (typeof selectionRules)[number],
          scope: o.scope as (typeof selectionScopes)[number],
          subsetMode: o.subsets as 'nested' | 'independent',
          fixedOffset: Number(o.offset),
          seed: Number(o.seed),
        })
        if (global.json) return printJson(io, { ...made, reused })
        printPlan(io, ctx.db, made)
        if (reused) io.out(`(the same request was planned before: plan ${made.planId} is reused)`)
      })
    })

  plan
    .command('show')
    .description('show a stored plan')
    .argument('<id>', 'plan id', parseId)
    .action(async (id: number, _o: unknown, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        const stored = requirePlan(ctx.db, id)
        if (global.json) printJson(io, stored)
        else printPlan(io, ctx.db, stored)
      })
    })

  plan
    .command('export')
    .description('write a plan for annotators: slice lists (csv, json) or nnU-Net ignore-label volumes (nnunet)')
    .argument('<id>', 'plan id', parseId)
    .requiredOption('--format <format>', exportFormats.join(' | '), oneOf(exportFormats, '--format'))
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty)')
    .action(async (id: number, o: { format: ExportFormat; out: string }, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        const stored = requirePlan(ctx.db, id)
        const { files } = exportPlan(stored, requireDataset(ctx.db, stored.dataset), o.format, o.out)
        if (global.json) printJson(io, { planId: id, format: o.format, out: o.out, files })
        else io.out(`exported plan ${id} as ${o.format}: ${files.length} files in ${o.out}`)
      })
    })

  plan
    .command('import')
    .description('import sparse annotations (nnU-Net ignore-label folder, or labels/ + slices.json|csv) as a plan')
    .argument('<dir>', 'the folder')
    // --dataset is declared once, on `plan`: commander hands an option to the command that declares it.
    .addHelpText('after', '\nOptions from `workbench plan`:\n  --dataset <name>  the dataset the annotations belong to (required)')
    .action(async (dir: string, _o: unknown, command: Command) => {
      const dataset = command.optsWithGlobals<{ dataset?: string }>().dataset
      if (!dataset) throw new UsageError('workbench plan import needs --dataset NAME')
      await withWorkbench(command, (ctx, global) => {
        const imported = importPlan(ctx.db, dir, dataset, ctx.workspace)
        if (global.json) printJson(io, imported)
        else printPlan(io, ctx.db, imported)
      })
    })

  withRemoveOptions(
    plan
      .command('remove')
      .description('remove a plan with its imported masks and interpolation runs (refused while a sweep uses it)')
      .argument('<id>', 'plan id', parseId),
  ).action(async (planId: number, options: RemoveOptions, command: Command) => {
    await withWorkbench(command, (ctx, global) => confirmAndRemove(io, global, options, (dryRun) => ctx.handlers['plans:remove']({ planId, dryRun })))
  })

  program
    .command('plans')
    .description('list stored plans')
    .option('--dataset <name>', 'only this dataset’s plans')
    .action(async (o: { dataset?: string }, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        const plans = listPlans(ctx.db, o.dataset ? requireDataset(ctx.db, o.dataset).id : undefined)
        if (global.json) return printJson(io, plans.map(({ items: _items, ...rest }) => rest))
        if (plans.length === 0) return io.out('no plans; make one with `workbench plan --dataset NAME --density R --volumes S --method fixed`')
        printTable(
          io,
          ['id', 'dataset', 'ρ', 's', 'method', 'seed', 'volumes', 'slices', 'created'],
          plans.map((p) => [p.planId, p.dataset, +p.density.toFixed(4), +p.volumes.toFixed(4), p.method, p.seed, p.items.length, p.totalSlices, p.createdAt.slice(0, 19)]),
        )
      })
    })
}
