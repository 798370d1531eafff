import { CancelledError } from '../core/execution'
import { Command, CommanderError } from 'commander'
import { workbenchVersion } from '../app/version'
import { registerBudgetCommand } from './commands/budget'
import { registerDatasetCommands } from './commands/datasets'
import { registerImportCommand } from './commands/import'
import { registerInfoCommand } from './commands/info'
import { registerInterpolationCommands } from './commands/interpolate'
import { registerPlanCommands } from './commands/plan'
import { registerRunsCommand } from './commands/runs'
import { registerReportCommand } from './commands/report'
import { registerServeCommand } from './commands/serve'
import { registerSweepCommands } from './commands/sweep'
import { registerTrainCommand } from './commands/train'
import { registerTrialCommands } from './commands/trial'
import { errorLogPath, reportError } from '../app/error-log'
import { resolveWorkspace } from '../app/paths'
import { processIo, UsageError, VerbExit, type CliIo } from './output'
import { usageLine, verbPath } from './usage'

/** Options every verb accepts. */
export interface GlobalOptions {
  db?: string
  workspace?: string
  json?: boolean
  /** false when --no-sample was given. */
  sample: boolean
}

/** Builds the `workbench` program; verbs register themselves from commands/. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('workbench')
    .description('Sparse annotation workbench: import 3D volumes, plan which slices to annotate, interpolate, train and compare.')
    .version(workbenchVersion())
    .option('--db <path>', 'SQLite store (default: $WORKBENCH_DB, else workbench.db in the user config dir)')
    .option('--workspace <dir>', 'where written files go (default: $WORKBENCH_HOME, else workspace/ in the user config dir)')
    .option('--json', 'print machine-readable JSON')
    .option('--no-sample', 'do not register the bundled sample dataset on first use')
    .exitOverride()
    // Commander's own error text is dropped here: main prints it as one line with a --help hint.
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
  registerImportCommand(program, io)
  registerDatasetCommands(program, io)
  registerInfoCommand(program, io)
  registerPlanCommands(program, io)
  registerBudgetCommand(program, io)
  registerInterpolationCommands(program, io)
  registerTrainCommand(program, io)
  registerRunsCommand(program, io)
  registerSweepCommands(program, io)
  registerTrialCommands(program, io)
  registerReportCommand(program, io)
  registerServeCommand(program, io)
  return program
}

/** The error log of the workspace the command line names (or the default one); undefined when none can be found. */
function cliErrorLog(program: Command): string | undefined {
  try {
    const explicit = program.opts<{ workspace?: unknown }>().workspace
    return errorLogPath(resolveWorkspace(typeof explicit === 'string' ? explicit : undefined))
  } catch {
    return undefined
  }
}

/** Help, version, or help for a verb group named without its verb: the text is already printed. */
const helpCodes = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version'])

/**
 * Runs the CLI on argv (without node and script) and returns the exit code: 0 done, 1 an error or failed
 * trials, 2 a usage error, 130 interrupted (Ctrl+C).
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof VerbExit) return err.code
    if (err instanceof CommanderError && helpCodes.has(err.code)) return err.exitCode === 0 ? 0 : 2
    // Commander's parse errors and the option parsers' InvalidArgumentError thrown inside a verb alike.
    if (err instanceof CommanderError || err instanceof UsageError) {
      io.err(usageLine(err.message, verbPath(program, argv)))
      return 2
    }
    // One line for the user; the trace of an unexpected error goes to the workspace's error log.
    const { line, logged } = reportError(err, 'cli', cliErrorLog(program))
    io.err(`workbench: error: ${line}${logged ? ` (trace in ${logged})` : ''}`)
    // 130 as a shell reports an interrupted command: Ctrl+C cancelled the work cleanly.
    return err instanceof CancelledError ? 130 : 1
  }
}
