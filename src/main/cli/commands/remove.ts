// The `remove` verbs share one shape: say what will go, ask on a terminal (--yes skips the question, --dry-run only
// says), then remove and say what went. Without a terminal and without --yes nothing is removed: a script must say so.
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { removalLines, type RemovalReport } from '../../../shared/removal'
import type { GlobalOptions } from '../main'
import { printJson, UsageError, type CliIo } from '../output'

export interface RemoveOptions {
  yes?: boolean
  dryRun?: boolean
}

/** Adds --yes and --dry-run to a remove verb. */
export function withRemoveOptions(command: Command): Command {
  return command.option('--yes', 'remove without asking').option('--dry-run', 'only say what would be removed')
}

/** Asks a person and resolves true for yes. */
export type Ask = (question: string) => Promise<boolean>

/** Asks on the terminal; true for y or yes. */
const askOnTerminal: Ask = async (question) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^(y|yes)$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}

/**
 * Runs one removal: `remove(true)` previews it, `remove(false)` does it (the door re-checks under the write lock).
 * `ask` is how a person is asked: on the terminal when stdin and stderr are terminals, else nobody can be.
 */
export async function confirmAndRemove(
  io: CliIo,
  global: GlobalOptions,
  options: RemoveOptions,
  remove: (dryRun: boolean) => Promise<RemovalReport>,
  ask: Ask | undefined = io.interactive && process.stdin.isTTY === true ? askOnTerminal : undefined,
): Promise<void> {
  const preview = await remove(true)
  const print = (report: RemovalReport): void => (global.json ? printJson(io, report) : removalLines(report).forEach((line) => io.out(line)))
  if (options.dryRun) return print(preview)
  if (!options.yes) {
    if (!ask) {
      throw new UsageError(`${preview.target}: removing asks for confirmation and the input is not a terminal; nothing was removed — add --yes, or --dry-run to see what would go`)
    }
    for (const line of removalLines(preview)) io.err(line)
    if (!(await ask('Remove? [y/N] '))) {
      io.err('nothing was removed')
      return
    }
  }
  print(await remove(false))
}
