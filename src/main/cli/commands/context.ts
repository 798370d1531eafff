import type { Command } from 'commander'
import { openWorkbench, type WorkbenchContext } from '../../app/open-workbench'
import type { GlobalOptions } from '../main'
import { orphanSweepLine } from '../../core/workspace/orphans'
import { processIo } from '../output'

/** The global options as typed values (commander hands them over untyped). */
export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<Record<string, unknown>>()
  return {
    db: typeof o.db === 'string' ? o.db : undefined,
    workspace: typeof o.workspace === 'string' ? o.workspace : undefined,
    json: o.json === true,
    sample: o.sample !== false,
  }
}

/** Opens the workbench for one verb and closes it afterwards, whatever happens. */
export async function withWorkbench<T>(command: Command, work: (ctx: WorkbenchContext, opts: GlobalOptions) => Promise<T> | T): Promise<T> {
  const opts = globalOptions(command)
  const ctx = openWorkbench({ dbPath: opts.db, workspace: opts.workspace, transport: 'http', registerSample: opts.sample })
  const freed = orphanSweepLine(ctx.orphans, ctx.workspace)
  // On stderr, so --json output stays one document.
  if (freed) processIo.err(`workbench: ${freed}`)
  try {
    return await work(ctx, opts)
  } finally {
    ctx.close()
  }
}

/** Parses "a,b,c" into three positive numbers, or throws naming the option. */
export function parseTriple(value: string, option: string): [number, number, number] {
  const parts = value.split(',').map((p) => Number(p.trim()))
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p <= 0)) {
    throw new Error(`${option} needs three positive numbers separated by commas, got "${value}"`)
  }
  return parts as [number, number, number]
}
