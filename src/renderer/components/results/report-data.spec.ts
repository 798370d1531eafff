import { describe, expect, it } from 'vitest'
import { formatP, reportToCsv, reportToJson, testsToCsv, type Report } from './report-data'

const report: Report = {
  sweepId: 2,
  dataset: 'sample',
  about: ['Sweep 2'],
  findings: [{ id: 'volumes', paper: 'p', verdict: 'not detectable', sentence: 'Not detectable here: …' }],
  models: ['a'],
  methods: ['fixed'],
  figures: [
    { id: 'f1', title: 'One', sentence: 's1', svg: '<svg/>', tests: [], rows: [{ model: 'a', iouMean: 0.5 }] },
    {
      id: 'f2', title: 'Two', sentence: 's2', svg: null, rows: [{ model: 'a, b', density: 0.2, iouMean: null }],
      tests: [{ figure: 'f2', comparison: 'x vs "y"', model: 'a', n: 5, statistic: 1, pValue: 0.0625, medianDifference: 0.01, method: 'exact' }],
    },
  ],
}

describe('report exports', () => {
  it('writes every figure row under the union of the columns, quoting as RFC 4180 says', () => {
    expect(reportToCsv(report)).toBe('figure,model,iouMean,density\r\nf1,a,0.5,\r\nf2,"a, b",,0.2\r\n')
    expect(testsToCsv(report)).toBe('figure,comparison,model,n,statistic,pValue,medianDifference,method\r\nf2,"x vs ""y""",a,5,1,0.0625,0.01,exact\r\n')
  })
  it('keeps the findings and leaves the SVG drawings out of the JSON', () => {
    const parsed = JSON.parse(reportToJson(report)) as { figures: Record<string, unknown>[]; findings: unknown }
    expect(parsed.findings).toEqual(report.findings)
    expect(parsed.figures.map((f) => Object.keys(f).sort())).toEqual([['id', 'rows', 'sentence', 'tests', 'title'], ['id', 'rows', 'sentence', 'tests', 'title']])
  })
  it('formats p-values', () => {
    expect(formatP(0.0625)).toBe('p = 0.063')
    expect(formatP(0.0004)).toBe('p < 0.001')
  })
})
