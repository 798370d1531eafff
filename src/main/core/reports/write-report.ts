/**
 * `workbench report --sweep ID --out DIR`: every figure of a sweep as DIR/<id>.csv, .json, .svg and .png,
 * the paired tests as tests.csv / tests.json, the sentences, the paper's findings and the sweep's facts as
 * report.json, all of it as one self-contained report.html, and the data it was computed from as data.json
 * (`workbench report --data DIR/data.json --out DIR2` writes the same report again without the store).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { InputError, isInputError, parseInput } from '../../../shared/errors'
import { REPORT_DATA_FORMAT, ReportDataFileSchema, TwinReferenceSchema, type PaperFinding, type ReportDataFile, type SweepData, type TwinReference } from '../../../shared/report-data'
import type { SweepCounts, TrialRecord } from '../../../shared/sweep'
import type { Db } from '../store/database'
import { countTrials } from '../store/sweeps-repo'
import { toCsv } from './csv'
import { allFigures, type Figure, type Row } from './figures'
import { paperFindings } from './findings'
import { renderHtml } from './html'
import { loadSweepData } from './load'
import { baselineStatement } from './plateau'
import { describeProtocol } from './protocol'
import { renderFigures, svgToPng } from './render'
import { protocolOf, twinCheck, type TwinCheck } from './twin'

export interface ReportSummary {
  sweepId: number
  dataset: string
  outDir: string
  files: string[]
  /** Shown above everything else: an under-trained sweep says so here. */
  warnings: string[]
  about: string[]
  /** The paper's three findings asked of this sweep. */
  findings: PaperFinding[]
  sentences: { id: string; title: string; sentence: string }[]
}

/**
 * Wall time with at least one done trial running: the union of the done trials' start–end intervals, so a sweep
 * paused between sessions is timed by its work, not by the calendar.
 */
export function runningMs(trials: readonly TrialRecord[]): number {
  const spans = trials
    .flatMap((t) => (t.status === 'done' && t.startedAt && t.finishedAt ? [[Date.parse(t.startedAt), Date.parse(t.finishedAt)] as const] : []))
    .sort((a, b) => a[0] - b[0])
  let total = 0
  let from = Number.NEGATIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  for (const [start, end] of spans) {
    if (start <= to) {
      to = Math.max(to, end)
      continue
    }
    if (to > from) total += to - from
    from = start
    to = end
  }
  return to > from ? total + (to - from) : total
}

/** Facts about the sweep for the report's head: training state, data set, grid, protocol, preset reductions, counts and time. */
export function describeSweep(data: SweepData, counts: SweepCounts, twin: TwinCheck | null = null): string[] {
  const { sweep } = data
  const g = sweep.definition.grid
  const started = data.trials.map((t) => t.startedAt).filter((s): s is string => s !== null).sort()[0]
  const finished = data.trials.map((t) => t.finishedAt).filter((s): s is string => s !== null).sort().at(-1)
  const trainHours = data.points.reduce((a, p) => a + p.trainMs, 0) / 3_600_000
  // An under-trained sweep says so first, wherever the head is shown (CLI, Results view, HTML).
  const baseline = baselineStatement(data.denseRuns)
  const twinFailed = twin?.status === 'fail'
  return [
    ...(baseline.underTrained ? [baseline.line] : []),
    ...(twinFailed ? [twin.line] : []),
    `Sweep ${sweep.id} on data set "${sweep.dataset}" (${sweep.trainSlices} training slices)${sweep.definition.preset ? `, preset ${sweep.definition.preset}` : ''}.`,
    `Grid: ρ ∈ {${g.densities.join(', ')}}, s ∈ {${g.volumeFractions.join(', ')}}, methods ${g.methods.join(', ')}, interpolation ${g.interpolation.join(', ')}, models ${g.models.map((m) => m.name).join(', ')} (described in the protocol below), seeds ${g.seeds.join(', ')}; a dense baseline per model and seed.`,
    describeProtocol(data),
    ...(baseline.underTrained ? [] : [baseline.line]),
    ...(twin && !twinFailed ? [twin.line] : []),
    `Shared train config: ${JSON.stringify(sweep.definition.train)}.`,
    ...sweep.definition.notes,
    `Trials: ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.queued + counts.running} not run, of ${counts.total}.` +
      (started && finished
        ? ` First trial started ${started}, last ended ${finished}; ${trainHours.toFixed(2)} h of training in total, ${(runningMs(data.trials) / 3_600_000).toFixed(2)} h with a trial running (the pauses between runner sessions left out).`
        : ''),
    'Means over seeds with sample standard deviation and 95 % confidence intervals (Student t); paired tests are two-sided Wilcoxon signed-rank tests (exact for n ≤ 25 without ties). ' +
      'Effect sizes are medians of the paired differences with distribution-free 95 % intervals (order statistics; none exists below n = 6). ' +
      'A sentence names one side higher or lower only where p < 0.05 and that interval excludes 0; otherwise it says no difference is detectable with that n.',
  ]
}

/** A report computed from a sweep's data: its head, figures and the paper's findings, before rendering. */
export interface ReportContent {
  /** Shown above everything else: an under-trained sweep says so here. */
  warnings: string[]
  about: string[]
  figures: Figure[]
  findings: PaperFinding[]
}

/** The report of this data (pure: the same data always gives the same content). */
export function buildReport(data: SweepData, counts: SweepCounts, reference: TwinReference | null = null): ReportContent {
  return { ...reportHead(data, counts, reference), figures: allFigures(data), findings: paperFindings(data) }
}

/** The report's head alone: the warnings shown first and the lines about the sweep (no figure computed). */
export function reportHead(data: SweepData, counts: SweepCounts, reference: TwinReference | null = null): Pick<ReportContent, 'warnings' | 'about'> {
  const baseline = baselineStatement(data.denseRuns)
  const twin = reference ? twinCheck(data, reference) : null
  const warnings = [...(baseline.underTrained ? [baseline.line] : []), ...(twin?.status === 'fail' ? [twin.line] : [])]
  return { warnings, about: describeSweep(data, counts, twin) }
}

/** Writes the report files of a stored sweep; an InputError when the sweep does not exist or has no done trial. */
export async function writeReport(db: Db, sweepId: number, outDir: string, reference: TwinReference | null = null): Promise<ReportSummary> {
  const data = loadSweepData(db, sweepId)
  if (data.points.length === 0) throw new InputError(`sweep ${sweepId}`, 'has no finished trial to report on yet; run it first (`workbench sweep run`)')
  return writeReportFiles({ format: REPORT_DATA_FORMAT, version: 1, ...data, counts: countTrials(db, sweepId), reference }, outDir)
}

/** A JSON file read with a schema: an InputError naming the file and its first problem. */
function readJsonFile<S extends z.ZodType>(schema: S, path: string): z.output<S> {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new InputError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON: ${(err as Error).message}`)
  }
  return parseInput(schema, json, (field) => (field ? `${path}: ${field}` : path))
}

/** Reads a report's data.json. */
export function readReportData(path: string): ReportDataFile {
  const file = readJsonFile(ReportDataFileSchema, path)
  if (file.reference) checkReferenceProtocol(file.reference, `${path}: reference.protocol`)
  return file
}

/** Reads a reference file (`--reference`, written by the training-quality bench with QUALITY_OUT). */
export function readTwinReference(path: string): TwinReference {
  const reference = readJsonFile(TwinReferenceSchema, path)
  checkReferenceProtocol(reference, `${path}: protocol`)
  return reference
}

function checkReferenceProtocol(reference: TwinReference, source: string): void {
  try {
    protocolOf(reference.protocol)
  } catch (err) {
    throw new InputError(source, `is not a train config's protocol: ${isInputError(err) ? err.problem : err instanceof z.ZodError ? (err.issues[0]?.message ?? 'invalid') : String(err)}`)
  }
}

/**
 * Writes the report of a data.json written by an earlier report (an InputError when it holds no done trial);
 * a reference given here replaces the file's.
 */
export async function writeReportFromData(path: string, outDir: string, reference: TwinReference | null = null): Promise<ReportSummary> {
  const file = readReportData(path)
  if (file.points.length === 0) throw new InputError(path, 'holds no finished trial to report on')
  return writeReportFiles(reference ? { ...file, reference } : file, outDir)
}

/**
 * Writes every report file of this data into outDir: the figures, the tests, report.json, report.html, and the
 * data itself as data.json, from which `workbench report --data` writes the same report again.
 */
export async function writeReportFiles(file: ReportDataFile, outDir: string): Promise<ReportSummary> {
  const { counts, reference, format: _format, version: _version, ...data } = file
  const content = buildReport(data, counts, reference)
  mkdirSync(outDir, { recursive: true })
  const files: string[] = []
  const write = (name: string, text: string | Buffer): void => {
    writeFileSync(join(outDir, name), text)
    files.push(name)
  }
  const rendered = await renderFigures(content.figures)
  for (const { figure, svg } of rendered) {
    write(`${figure.id}.csv`, toCsv(figure.rows))
    write(`${figure.id}.json`, `${JSON.stringify({ id: figure.id, title: figure.title, sentence: figure.sentence, rows: figure.rows, tests: figure.tests }, null, 2)}\n`)
    if (svg !== null) {
      write(`${figure.id}.svg`, svg)
      write(`${figure.id}.png`, svgToPng(svg))
    }
  }
  const tests = content.figures.flatMap((f) => f.tests)
  write('tests.csv', toCsv(tests as unknown as Row[]))
  write('tests.json', `${JSON.stringify(tests, null, 2)}\n`)
  // Through the schema, so a report written from the store and one written again from its data.json are the same bytes.
  write('data.json', `${JSON.stringify(ReportDataFileSchema.parse(file), null, 1)}\n`)
  const sentences = content.figures.map((f) => ({ id: f.id, title: f.title, sentence: f.sentence }))
  write('report.html', renderHtml({ title: `Sparse annotation sweep ${data.sweep.id}: ${data.sweep.dataset}`, warnings: content.warnings, about: content.about, findings: content.findings, figures: rendered }))
  const summary: ReportSummary = { sweepId: data.sweep.id, dataset: data.sweep.dataset, outDir, files: [...files, 'report.json'], warnings: content.warnings, about: content.about, findings: content.findings, sentences }
  write('report.json', `${JSON.stringify({ ...summary, outDir: undefined, counts, tests }, null, 2)}\n`)
  return summary
}
