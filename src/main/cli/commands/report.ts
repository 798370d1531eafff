import type { Command } from 'commander'
import { writeReport } from '../../core/reports/write-report'
import { printJson, type CliIo } from '../output'
import { withWorkbench } from './context'
import { positiveInteger } from './parsers'

/** `workbench report --sweep ID --out DIR`. */
export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report')
    .description("the paper's figures of a sweep: CSV + JSON data, SVG + PNG charts, paired tests, sentences, and one offline report.html")
    .requiredOption('--sweep <id>', 'the sweep', positiveInteger('--sweep'))
    .requiredOption('--out <dir>', 'folder for the report files')
    .action(async (o: { sweep: number; out: string }, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const summary = await writeReport(ctx.db, o.sweep, o.out)
        if (global.json) return printJson(io, summary)
        for (const line of summary.about) io.out(line)
        for (const s of summary.sentences) io.out(`${s.title}: ${s.sentence}`)
        io.out(`${summary.files.length} files in ${summary.outDir}; open report.html`)
      })
    })
}
