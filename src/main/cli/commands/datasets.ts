import type { Command } from 'commander'
import { InputError } from '../../../shared/errors'
import { deleteDataset } from '../../core/store/datasets-repo'
import { printJson, printTable, type CliIo } from '../output'
import { withWorkbench } from './context'

/** `workbench datasets` (list) and `workbench remove <name>`. */
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

  program
    .command('remove')
    .description('remove a dataset and its split from the store (the image files are left alone)')
    .argument('<name>', 'the dataset name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withWorkbench(command, (ctx, global) => {
        if (!deleteDataset(ctx.db, name)) throw new InputError(name, 'no dataset has this name')
        if (global.json) printJson(io, { removed: name })
        else io.out(`removed ${name}`)
      })
    })
}
