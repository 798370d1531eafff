/** The report as one self-contained HTML page: inline SVG charts, tables, tests and sentences; no network. */
import type { PaperFinding } from '../../../shared/report-data'
import type { Figure, Row, StatTest } from './figures'

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '<p class="empty">No data.</p>'
  const columns: string[] = []
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k)
  const head = columns.map((c) => `<th>${escape(c)}</th>`).join('')
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${escape(r[c] === null || r[c] === undefined ? '' : String(r[c]))}</td>`).join('')}</tr>`).join('\n')
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

const fourDigits = (x: number | null): number | string => (x === null ? 'unbounded' : Number(x.toPrecision(4)))
const testRows = (tests: readonly StatTest[]): Row[] =>
  tests.map((t) => ({
    model: t.model,
    comparison: t.comparison,
    pairs: t.pairs,
    'non-zero': t.n,
    W: t.statistic,
    p: Number(t.pValue.toPrecision(4)),
    'median difference': fourDigits(t.medianDifference),
    '95 % CI low': fourDigits(t.ciLow),
    '95 % CI high': fourDigits(t.ciHigh),
    verdict: t.verdict === 'none' ? 'no difference detectable' : t.verdict,
    method: t.method,
  }))

export interface HtmlReport {
  title: string
  /** Shown first, as a warning (an under-trained sweep). */
  warnings: string[]
  /** Lines about the sweep: data set, grid, preset reductions, timings. */
  about: string[]
  /** The paper's three findings asked of this sweep. */
  findings: readonly PaperFinding[]
  figures: readonly { figure: Figure; svg: string | null }[]
}

/** Renders the report page. SVGs are inlined (they come from our own renderer, not from users). */
export function renderHtml(report: HtmlReport): string {
  const sections = report.figures
    .map(({ figure, svg }) => `
<section id="${escape(figure.id)}">
  <h2>${escape(figure.title)}</h2>
  <p class="sentence">${escape(figure.sentence)}</p>
  ${svg ? `<div class="chart">${svg.replace(/^<\?xml[^>]*>/, '')}</div>` : ''}
  ${figure.tests.length ? `<h3>Paired Wilcoxon signed-rank tests</h3>${table(testRows(figure.tests))}` : ''}
  <details><summary>Data (${figure.rows.length} rows; also ${escape(figure.id)}.csv / .json)</summary>${table(figure.rows)}</details>
</section>`)
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(report.title)}</title>
<style>
body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.sentence{font-size:1.05em;background:#f3f6fa;padding:.6em .8em;border-left:4px solid #4c78a8}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f5f5f5}
.chart svg{max-width:100%;height:auto}.empty{color:#888}
.findings li{margin:.4em 0;padding-left:.4em;border-left:4px solid #bbb}.findings li[data-verdict=holds]{border-color:#2e7d32}.findings li[data-verdict=contradicted]{border-color:#c0392b}
.warning{background:#fdecea;border-left:4px solid #c0392b;padding:.6em .8em;font-weight:600}
</style></head>
<body>
<h1>${escape(report.title)}</h1>
${report.warnings.map((w) => `<p class="warning">${escape(w)}</p>`).join('\n')}
<ul>${report.about.filter((l) => !report.warnings.includes(l)).map((l) => `<li>${escape(l)}</li>`).join('')}</ul>
<h2>The paper's findings on this data</h2>
<ol class="findings">${report.findings.map((f) => `<li data-verdict="${escape(f.verdict)}"><strong>${escape(capitalise(f.paper))}.</strong> ${escape(f.sentence)}</li>`).join('\n')}</ol>
<h2>Figures</h2>
<ol>${report.figures.map(({ figure }) => `<li><a href="#${escape(figure.id)}">${escape(figure.title)}</a>: ${escape(figure.sentence)}</li>`).join('\n')}</ol>
${sections}
</body></html>
`
}
