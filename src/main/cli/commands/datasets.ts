import type { Command } from 'commander'
import { printJson, printTable, type CliIo } from '../output'
import { withWorkbench } from './context'
import { confirmAndRemove, withRemoveOptions, type RemoveOptions } from './remove'

/** `workbench datasets` (list) and `workbench remove <name>` (with what it removes, asked first). */
export function registerDatasetCommands(program: Command, io: CliIo): void {
  program
    .command('datasets')
    .description('list the datasets in the store')
    .action(async (_options: unknown, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const datasets = await ctx.handlers['datasets:list']({})
        if (global.json) return printJson(io, datasets)
        if (datasets.length === 0) return io.out('no datasets; import one with `workbench import <folder> --name NAME`')
        printTable(
          io,
          ['name', 'volumes', 'train', 'val', 'test', 'layout', 'created', 'source'],
          datasets.map((d) => [d.name, d.volumes, d.split.train, d.split.val, d.split.test, d.layout, d.createdAt.slice(0, 19), d.sourceDir]),
        )
      })
    })

  withRemoveOptions(
    program
      .command('remove')
      .description('remove a dataset: its plans, sweeps, trials, interpolation runs and the workspace files they own (source images are left alone; training runs stay, marked as of a removed dataset)')
      .argument('<name>', 'the dataset name'),
  ).action(async (name: string, options: RemoveOptions, command: Command) => {
    await withWorkbench(command, (ctx, global) => confirmAndRemove(io, global, options, (dryRun) => ctx.handlers['datasets:remove']({ name, dryRun })))
  })
}
