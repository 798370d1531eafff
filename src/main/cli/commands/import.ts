import { InvalidArgumentError, type Command } from 'commander'
import { importInThread, importOnWorker } from '../../app/import-on-worker'
import { cancellable } from './cancellable'
import { indexArg, parseSeed } from './parsers'
import { printJson, progressBar, type CliIo } from '../output'
import { parseTriple, withWorkbench } from './context'

function tripleArg(option: string): (value: string) => [number, number, number] {
  return (value) => {
    try {
      return parseTriple(value, option)
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message)
    }
  }
}

/** `workbench import <folder> --name NAME [--seed N] [--split a,b,c] [--spacing x,y,z] [--shape x,y,z] [--frame N] [--channel N]` */
export function registerImportCommand(program: Command, io: CliIo): void {
  program
    .command('import')
    .description('import a dataset folder (imagesTr/ + labelsTr/, or images/ + labels/) with a seeded split')
    .argument('<folder>', 'the dataset folder')
    .requiredOption('--name <name>', 'the dataset name')
    .option('--seed <n>', 'seed of the train/val/test split', parseSeed, 0)
    .option('--split <train,val,test>', 'split fractions (default 0.75,0.08,0.17)', tripleArg('--split'))
    .option('--spacing <x,y,z>', 'resample every pair to this spacing in mm (written to the workspace)', tripleArg('--spacing'))
    .option('--shape <x,y,z>', 'crop or pad every pair to this shape, centred (written to the workspace)', tripleArg('--shape'))
    .option('--frame <n>', 'the 3D frame to take from 4D+ files, along dim 4 (default 0; another is written to the workspace)', indexArg('--frame'))
    .option('--channel <n>', 'the channel to take from multi-channel files (vector / 5D), along dims 5-7 (default 0)', indexArg('--channel'))
    .action(async (folder: string, options: { name: string; seed: number; split?: number[]; spacing?: [number, number, number]; shape?: [number, number, number]; frame?: number; channel?: number }, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const bar = progressBar(io, 'import')
        try {
          // On a worker: the core's import is synchronous, and on this thread Ctrl+C would not be heard until it
          // ended. From the worker it is heard at once, and the import stops before its next pair, storing nothing.
          // An in-memory store is this connection's alone, so no worker could see it.
          const run = ctx.dbPath === ':memory:' ? importInThread(ctx.db) : importOnWorker
          const summary = await cancellable((signal) =>
            run(
              {
                dbPath: ctx.dbPath,
                workspace: ctx.workspace,
                options: {
                  folder,
                  name: options.name,
                  seed: options.seed,
                  ...(options.split ? { split: { train: options.split[0] ?? 0, val: options.split[1] ?? 0, test: options.split[2] ?? 0 } } : {}),
                  preprocessing: { targetSpacing: options.spacing, targetShape: options.shape, frame: options.frame, channel: options.channel },
                },
              },
              { signal, onProgress: (done, total, caseId) => bar.update(done, total, caseId) },
            ),
          )
          bar.end()
          if (global.json) printJson(io, summary)
          else {
            const s = summary.split
            io.out(`imported ${summary.name}: ${summary.volumes} volumes (train ${s.train}, val ${s.val}, test ${s.test}; seed ${summary.splitSeed})`)
            for (const note of summary.readNotes ?? []) io.out(`  ${note}`)
          }
        } catch (err) {
          bar.end()
          throw err
        }
      })
    })
}
