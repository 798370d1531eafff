import type { Command } from 'commander'
import { InputError } from '../../../shared/errors'
import { readTwinReference, writeReport, writeReportFromData, type ReportSummary } from '../../core/reports/write-report'
import { printJson, type CliIo } from '../output'
import { globalOptions, withWorkbench } from './context'
import { positiveInteger } from './parsers'

/** The report in the terminal: the sweep's facts, the paper's findings, one sentence per figure. */
function printReport(io: CliIo, summary: ReportSummary): void {
  for (const line of summary.about) io.out(line)
  for (const f of summary.findings) io.out(`The paper: ${f.paper}. ${f.sentence}`)
  for (const s of summary.sentences) io.out(`${s.title}: ${s.sentence}`)
  io.out(`${summary.files.length} files in ${summary.outDir}; open report.html`)
}

/**
 * `workbench report --sweep ID --out DIR`, or `--data DIR/data.json` to write a report again from its data;
 * `--reference FILE` adds (or, with --data, replaces) the check of the dense baseline against another trainer.
 */
export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report')
    .description("the paper's figures and findings of a sweep: CSV + JSON data, SVG + PNG charts, paired tests, sentences, data.json, and one offline report.html")
    .option('--sweep <id>', 'the sweep, from the store', positiveInteger('--sweep'))
    .option('--data <file>', "an earlier report's data.json: writes that report again without the store")
    .option('--reference <file>', 'dense runs of another trainer with the same protocol (the training-quality bench writes one with QUALITY_OUT=FILE): the report checks the dense baseline against them')
    .requiredOption('--out <dir>', 'folder for the report files')
    .action(async (o: { sweep?: number; data?: string; reference?: string; out: string }, command: Command) => {
      if ((o.sweep === undefined) === (o.data === undefined)) throw new InputError('report', 'give one of --sweep ID (a stored sweep) or --data FILE (a data.json written by an earlier report)')
      const reference = o.reference === undefined ? null : readTwinReference(o.reference)
      if (o.data !== undefined) {
        const summary = await writeReportFromData(o.data, o.out, reference)
        return globalOptions(command).json ? printJson(io, summary) : printReport(io, summary)
      }
      const sweepId = o.sweep as number
      await withWorkbench(command, async (ctx, global) => {
        const summary = await writeReport(ctx.db, sweepId, o.out, reference)
        return global.json ? printJson(io, summary) : printReport(io, summary)
      })
    })
}
