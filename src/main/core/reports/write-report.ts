/**
 * `workbench report --sweep ID --out DIR`: every figure of a sweep as DIR/<id>.csv, .json, .svg and .png,
 * the paired tests as tests.csv / tests.json, the sentences and the sweep's facts as report.json, and all
 * of it as one self-contained report.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../../../shared/errors'
import type { Db } from '../store/database'
import { countTrials } from '../store/sweeps-repo'
import { toCsv } from './csv'
import { allFigures, type Figure, type Row } from './figures'
import { renderHtml } from './html'
import { loadSweepData, type SweepData } from './load'
import { baselineStatement } from './plateau'
import { describeProtocol } from './protocol'
import { renderSvg, svgToPng } from './render'

export interface ReportSummary {
  sweepId: number
  dataset: string
  outDir: string
  files: string[]
  /** Shown above everything else: an under-trained sweep says so here. */
  warnings: string[]
  about: string[]
  sentences: { id: string; title: string; sentence: string }[]
}

/** Facts about the sweep for the report's head: training state, data set, grid, protocol, preset reductions, counts and time. */
export function describeSweep(data: SweepData, counts: ReturnType<typeof countTrials>): string[] {
  const { sweep } = data
  const g = sweep.definition.grid
  const started = data.trials.map((t) => t.startedAt).filter((s): s is string => s !== null).sort()[0]
  const finished = data.trials.map((t) => t.finishedAt).filter((s): s is string => s !== null).sort().at(-1)
  const trainHours = data.points.reduce((a, p) => a + p.trainMs, 0) / 3_600_000
  // An under-trained sweep says so first, wherever the head is shown (CLI, Results view, HTML).
  const baseline = baselineStatement(data.denseRuns)
  return [
    ...(baseline.underTrained ? [baseline.line] : []),
    `Sweep ${sweep.id} on data set "${sweep.dataset}" (${sweep.trainSlices} training slices)${sweep.definition.preset ? `, preset ${sweep.definition.preset}` : ''}.`,
    `Grid: ρ ∈ {${g.densities.join(', ')}}, s ∈ {${g.volumeFractions.join(', ')}}, methods ${g.methods.join(', ')}, interpolation ${g.interpolation.join(', ')}, models ${g.models.map((m) => m.name).join(', ')} (described in the protocol below), seeds ${g.seeds.join(', ')}; a dense baseline per model and seed.`,
    describeProtocol(data),
    ...(baseline.underTrained ? [] : [baseline.line]),
    `Shared train config: ${JSON.stringify(sweep.definition.train)}.`,
    ...sweep.definition.notes,
    `Trials: ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.queued + counts.running} not run, of ${counts.total}.` +
      (started && finished ? ` First trial started ${started}, last ended ${finished}; ${trainHours.toFixed(2)} h of training in total.` : ''),
    'Means over seeds with sample standard deviation and 95 % confidence intervals (Student t); paired tests are two-sided Wilcoxon signed-rank tests (exact for n ≤ 25 without ties). ' +
      'Effect sizes are medians of the paired differences with distribution-free 95 % intervals (order statistics; none exists below n = 6). ' +
      'A sentence names one side higher or lower only where p < 0.05 and that interval excludes 0; otherwise it says no difference is detectable with that n.',
  ]
}

/** Writes the report files; an InputError when the sweep does not exist or has no done trial. */
export async function writeReport(db: Db, sweepId: number, outDir: string): Promise<ReportSummary> {
  const data = loadSweepData(db, sweepId)
  if (data.points.length === 0) throw new InputError(`sweep ${sweepId}`, 'has no finished trial to report on yet; run it first (`workbench sweep run`)')
  const counts = countTrials(db, sweepId)
  const figures = allFigures(data)
  mkdirSync(outDir, { recursive: true })
  const files: string[] = []
  const write = (name: string, content: string | Buffer): void => {
    writeFileSync(join(outDir, name), content)
    files.push(name)
  }
  const rendered: { figure: Figure; svg: string | null }[] = []
  for (const figure of figures) {
    write(`${figure.id}.csv`, toCsv(figure.rows))
    write(`${figure.id}.json`, `${JSON.stringify({ id: figure.id, title: figure.title, sentence: figure.sentence, rows: figure.rows, tests: figure.tests }, null, 2)}\n`)
    let svg: string | null = null
    if (figure.chart) {
      svg = await renderSvg(figure.chart)
      write(`${figure.id}.svg`, svg)
      write(`${figure.id}.png`, svgToPng(svg))
    }
    rendered.push({ figure, svg })
  }
  const tests = figures.flatMap((f) => f.tests)
  write('tests.csv', toCsv(tests as unknown as Row[]))
  write('tests.json', `${JSON.stringify(tests, null, 2)}\n`)
  const about = describeSweep(data, counts)
  const baseline = baselineStatement(data.denseRuns)
  const warnings = baseline.underTrained ? [baseline.line] : []
  const sentences = figures.map((f) => ({ id: f.id, title: f.title, sentence: f.sentence }))
  write('report.html', renderHtml({ title: `Sparse annotation sweep ${sweepId}: ${data.sweep.dataset}`, warnings, about, figures: rendered }))
  const summary: ReportSummary = { sweepId, dataset: data.sweep.dataset, outDir, files: [...files, 'report.json'], warnings, about, sentences }
  write('report.json', `${JSON.stringify({ ...summary, counts, tests }, null, 2)}\n`)
  return summary
}
