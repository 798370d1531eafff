import type { Command } from 'commander'
import { trainBackends, type TrainBackend } from '../../../shared/training'
import { runTrialToFile } from '../../core/sweeps/cluster'
import { printJson, VerbExit, type CliIo } from '../output'
import { cancellable } from './cancellable'
import { withWorkbench } from './context'
import { oneOf, positiveInteger } from './parsers'
import { sweepContext } from './sweep'

/** `workbench trial run ID --out FILE`: one sweep trial outside the queue (a Slurm task). */
export function registerTrialCommands(program: Command, io: CliIo): void {
  const trial = program.command('trial').description('single sweep trials (cluster tasks)')
  trial
    .command('run <id>')
    .description('train one trial of a sweep and write its outcome file (for `workbench sweep collect`)')
    .requiredOption('--out <file>', 'where the outcome JSON goes (the checkpoints go to the folder FILE.checkpoint beside it)')
    .option('--threads <n>', "training threads, unless the sweep's train config sets them (a Slurm task passes its CPUs)", positiveInteger('--threads'))
    .option('--backend <name>', `train on this backend instead of the sweep's choice: ${trainBackends.join(' | ')}`, oneOf(trainBackends, '--backend'))
    .action(async (id: string, o: { out: string; threads?: number; backend?: TrainBackend }, command: Command) => {
      const trialId = positiveInteger('the trial id')(id)
      await withWorkbench(command, async (ctx, global) => {
        const outcome = await cancellable((signal) => runTrialToFile(sweepContext(ctx, signal), trialId, o.out, { signal, ...(o.threads ? { threads: o.threads } : {}), ...(o.backend ? { backend: o.backend } : {}) }))
        if (global.json) printJson(io, outcome)
        else
          io.out(
            outcome.status === 'done'
              ? `trial ${trialId} (${outcome.key}): test IoU ${outcome.result?.evaluation?.meanIou.toFixed(3) ?? '?'}; outcome in ${o.out}`
              : `trial ${trialId} (${outcome.key}) failed: ${outcome.error ?? ''}; outcome in ${o.out}`,
          )
        // A failed trial still wrote its outcome file (collect stores it), but the task failed: Slurm should say so.
        if (outcome.status === 'failed') throw new VerbExit(1)
      })
    })
}
