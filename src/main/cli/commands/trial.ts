import type { Command } from 'commander'
import { runTrialToFile } from '../../core/sweeps/cluster'
import { printJson, VerbExit, type CliIo } from '../output'
import { cancellable } from './cancellable'
import { withWorkbench } from './context'
import { positiveInteger } from './parsers'
import { sweepContext } from './sweep'

/** `workbench trial run ID --out FILE`: one sweep trial outside the queue (a Slurm task). */
export function registerTrialCommands(program: Command, io: CliIo): void {
  const trial = program.command('trial').description('single sweep trials (cluster tasks)')
  trial
    .command('run <id>')
    .description('train one trial of a sweep and write its outcome file (for `workbench sweep collect`)')
    .requiredOption('--out <file>', 'where the outcome JSON goes')
    .action(async (id: string, o: { out: string }, command: Command) => {
      const trialId = positiveInteger('the trial id')(id)
      await withWorkbench(command, async (ctx, global) => {
        const outcome = await cancellable((signal) => runTrialToFile(sweepContext(ctx, signal), trialId, o.out, { signal }))
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
