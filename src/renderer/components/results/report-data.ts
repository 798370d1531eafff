// The Results view's pure parts: the report's data as a CSV (one table of every figure's rows) and JSON export,
// and the hover text of a chart mark. No Vue here, so it can be tested.
import type { ApiOutput } from '../../../shared/api'

export type Report = ApiOutput<'reports:figures'>
type Cell = string | number | null

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: Cell): string {
  const text = value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Every figure's rows in one table: a `figure` column first, then the union of the rows' columns in first-seen order. */
export function reportToCsv(report: Report): string {
  const columns: string[] = []
  for (const f of report.figures) for (const row of f.rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key)
  const lines = [['figure', ...columns].join(',')]
  for (const f of report.figures) for (const row of f.rows) lines.push([f.id, ...columns.map((c) => row[c] ?? null)].map(csvField).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/** The paired tests of every figure as CSV. */
export function testsToCsv(report: Report): string {
  const columns = ['figure', 'comparison', 'model', 'n', 'statistic', 'pValue', 'medianDifference', 'method'] as const
  const lines = [columns.join(',')]
  for (const t of report.figures.flatMap((f) => f.tests)) lines.push(columns.map((c) => csvField(t[c])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/** The report as JSON: facts, the paper's findings, sentences, rows and tests (the SVGs left out: they are drawings of the rows). */
export function reportToJson(report: Report): string {
  const figures = report.figures.map(({ svg: _svg, ...rest }) => rest)
  return `${JSON.stringify({ sweepId: report.sweepId, dataset: report.dataset, about: report.about, findings: report.findings, figures }, null, 2)}\n`
}

/** "p = 0.031" or "p < 0.001". */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}
