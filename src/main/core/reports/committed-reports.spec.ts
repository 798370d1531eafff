// The reports committed under docs/results/<name>/: every number, sentence and finding in them is recomputed from
// the committed data.json and must equal what is committed, and report.html must open offline (no script, no
// stylesheet, image or font fetched from anywhere). A report edited by hand, or left behind by a change to the
// figures, fails here.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../test-support/shared-data'
import { buildReport, readReportData } from './write-report'

const resultsDir = join(repoRoot, 'docs', 'results')
const committed = existsSync(resultsDir) ? readdirSync(resultsDir).filter((name) => existsSync(join(resultsDir, name, 'data.json'))) : []
const json = (dir: string, file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'))
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

describe('committed reports', () => {
  if (committed.length === 0) console.log('committed-reports.spec: no report with a data.json under docs/results yet; nothing to replay')
  it.skipIf(committed.length === 0)('a report with data.json exists under docs/results', () => expect(committed.length).toBeGreaterThan(0))

  for (const name of committed) {
    describe(name, () => {
      const dir = join(resultsDir, name)
      const file = readReportData(join(dir, 'data.json'))
      const { counts, reference, format: _format, version: _version, ...data } = file
      const content = buildReport(data, counts, reference)
      const roundTrip = (x: unknown): unknown => JSON.parse(JSON.stringify(x))

      it('every figure, its rows, tests and sentence, replays from data.json', () => {
        for (const f of content.figures) {
          expect(json(dir, `${f.id}.json`), f.id).toEqual(roundTrip({ id: f.id, title: f.title, sentence: f.sentence, rows: f.rows, tests: f.tests }))
        }
        expect(json(dir, 'tests.json')).toEqual(roundTrip(content.figures.flatMap((f) => f.tests)))
      })

      it("the head, the warnings and the paper's findings replay from data.json", () => {
        const report = json(dir, 'report.json') as Record<string, unknown>
        expect(report.about).toEqual(content.about)
        expect(report.warnings).toEqual(content.warnings)
        expect(report.findings).toEqual(roundTrip(content.findings))
        expect(report.counts).toEqual(counts)
      })

      it('report.html opens offline and shows every sentence and finding', () => {
        const html = readFileSync(join(dir, 'report.html'), 'utf8')
        expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|url\((?!#)|@import|href="(?!#)/i)
        for (const line of [...content.about, ...content.figures.map((f) => f.sentence), ...content.findings.map((f) => f.sentence)]) expect(html).toContain(escapeHtml(line))
        for (const f of content.figures) if (f.chart) expect(html).toContain(`<section id="${f.id}">`)
      })
    })
  }
})
