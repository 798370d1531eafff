// The figures' numbers and sentences on hand-made sweep data, and the report files of a stored sweep
// (trained by a fake runner here; cli/cli-sweep.spec.ts makes them from a real sweep of tiny models).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SweepDefinitionSchema, type SweepRecord } from '../../../shared/sweep'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase } from '../store/database'
import { createSweep } from '../sweeps/create-sweep'
import { runSweep } from '../sweeps/run-sweep'
import { fakeRunner, smallGrid, tinyTrain } from '../sweeps/test-helpers'
import { toCsv } from './csv'
import { figureDrop, figureEqualBudget, figureInterpolation, figureMethods, tableInterpolation } from './figures'
import type { SweepData, TrialPoint } from './load'
import { writeReport } from './write-report'

const sweep: SweepRecord = {
  id: 1,
  uid: 'u',
  datasetId: 1,
  dataset: 'd',
  definition: SweepDefinitionSchema.parse({ grid: { densities: [0.1], volumeFractions: [1], models: [{ name: 'm', model: {} }] } }),
  trainSlices: 1000,
  cancelled: false,
  createdAt: '',
}

let id = 0
function point(p: Partial<TrialPoint> & { density: number; volumeFraction: number; meanIou: number }): TrialPoint {
  return {
    trialId: ++id,
    model: 'm',
    method: 'fixed',
    interpolation: 'none',
    seed: 0,
    dense: false,
    budgetFraction: p.density * p.volumeFraction,
    nominalBudget: Number((p.density * p.volumeFraction).toPrecision(6)),
    meanDice: 0,
    msPerStep: 1,
    trainMs: 1,
    ...p,
  }
}
const data = (points: TrialPoint[], interpolation: SweepData['interpolation'] = []): SweepData => ({ sweep, trials: [], points, interpolation })

describe('figures on known data', () => {
  it('Fig. 1: the relative drop from the same seed\'s dense model, averaged over seeds', () => {
    const d = data([
      point({ dense: true, density: 1, volumeFraction: 1, meanIou: 0.8, seed: 0 }),
      point({ dense: true, density: 1, volumeFraction: 1, meanIou: 0.9, seed: 1 }),
      point({ density: 0.1, volumeFraction: 0.5, meanIou: 0.6, seed: 0 }),
      point({ density: 0.1, volumeFraction: 0.5, meanIou: 0.81, seed: 1 }),
    ])
    const fig = figureDrop(d)
    // Drops 25 % and 10 %: mean 17.5, sample std √((7.5² + 7.5²)/1) = 10.6066, CI ± 12.7062·10.6066/√2.
    expect(fig.rows).toHaveLength(1)
    expect(fig.rows[0]?.dropMean).toBeCloseTo(17.5, 4)
    expect(fig.rows[0]?.dropStd).toBeCloseTo(10.6066, 3)
    expect(fig.rows[0]?.dropCiHigh).toBeCloseTo(17.5 + (12.7062 * 10.6066) / Math.SQRT2, 2)
    expect(fig.sentence).toMatch(/between 17\.5 % .* and 17\.5 % of the IoU/)
  })

  it('Fig. 1 says "above dense" for sparse cells that beat the dense baseline', () => {
    const fig = figureDrop(data([
      point({ dense: true, density: 1, volumeFraction: 1, meanIou: 0.5 }),
      point({ density: 0.1, volumeFraction: 0.5, meanIou: 0.6 }),
      point({ density: 0.2, volumeFraction: 1, meanIou: 0.45 }),
    ]))
    expect(fig.sentence).toBe(
      'Against dense training, sparse annotation scored from 20.0 % above dense (ρ = 0.1, s = 0.5, 5.0 % of the slices) to 10.0 % below dense (ρ = 0.2, s = 1, 20.0 % of the slices); 1 of 2 sparse cells beat the dense baseline.',
    )
  })

  it('Fig. 3: counts the equal-budget lines on which more volumes with fewer slices won, with a paired test per line', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      // Budget 0.1: s = 1 beats s = 0.25. Budget 0.2: s = 0.5 loses to s = 0.25 (by a little). No tied differences.
      pts.push(point({ density: 0.1, volumeFraction: 1, meanIou: 0.7 + 0.01 * seed, seed }))
      pts.push(point({ density: 0.4, volumeFraction: 0.25, meanIou: 0.6 + 0.005 * seed, seed }))
      pts.push(point({ density: 0.4, volumeFraction: 0.5, meanIou: 0.7 + 0.001 * seed, seed }))
      pts.push(point({ density: 0.8, volumeFraction: 0.25, meanIou: 0.72, seed }))
    }
    const fig = figureEqualBudget(data(pts))
    expect(fig.sentence).toBe('At 1 of 2 budgets with several ways to spend it, more volumes with fewer slices each scored a higher mean IoU than fewer volumes with more slices.')
    expect(fig.tests).toHaveLength(2)
    // 6 pairs all in one direction: exact two-sided p = 2/64.
    for (const t of fig.tests) expect(t.pValue).toBeCloseTo(2 / 64, 12)
    expect(fig.rows).toHaveLength(4)
  })

  it('IoU charts keep their axis to 0–1 and clip the intervals there; the rows keep them whole', () => {
    // Two seeds 0.3 apart: the t-interval (±12.7062·0.2121/√2) runs far outside 0–1.
    const fig = figureEqualBudget(data([0, 1].flatMap((seed) => [
      point({ density: 0.1, volumeFraction: 1, meanIou: 0.4 + 0.3 * seed, seed }),
      point({ density: 0.4, volumeFraction: 0.25, meanIou: 0.5, seed }),
    ])))
    const row = fig.rows.find((r) => r.density === 0.1)
    expect(row?.iouCiLow).toBeLessThan(-1)
    expect(row?.iouCiHigh).toBeGreaterThan(2)
    const layers = (fig.chart as unknown as { spec: { layer: { encoding: { y: { scale: unknown } } }[] } }).spec.layer
    for (const layer of layers) expect(layer.encoding.y.scale).toEqual({ domain: [0, 1], clamp: true })
  })

  it('Fig. 4 pairs trials with and without interpolation on the same plan and seed; Table 3 averages plans', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1, 2]) {
      for (const density of [0.1, 0.2]) {
        pts.push(point({ density, volumeFraction: 1, meanIou: 0.5 + density, seed }))
        pts.push(point({ density, volumeFraction: 1, meanIou: 0.55 + 1.1 * density + 0.001 * seed, seed, interpolation: 'propagate' }))
      }
    }
    const fig = figureInterpolation(data(pts))
    expect(fig.rows).toHaveLength(6)
    expect(fig.tests[0]).toMatchObject({ n: 6, statistic: 0, method: 'exact' })
    expect(fig.tests[0]?.pValue).toBeCloseTo(2 / 64, 12)
    expect(fig.sentence).toBe('Trained on the same slices, with propagate masks m scored higher in 6 of 6 pairs (median difference +0.066 IoU, Wilcoxon p = 0.031).')
    const table = tableInterpolation(
      data([], [
        { planId: 1, method: 'sdf', density: 0.1, volumeFraction: 1, seed: 0, meanIou: 0.6, meanDice: 0.7 },
        { planId: 2, method: 'sdf', density: 0.1, volumeFraction: 1, seed: 1, meanIou: 0.7, meanDice: 0.8 },
        { planId: 3, method: 'sdf', density: 0.2, volumeFraction: 1, seed: 0, meanIou: 0.8, meanDice: 0.9 },
      ]),
    )
    expect(table.rows.map((r) => [r.density, r.plans, r.iouMean])).toEqual([[0.1, 2, 0.65], [0.2, 1, 0.8]])
  })

  it('Fig. 5: each method relative to the mean of the methods on the same cell and seed', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1]) {
      pts.push(point({ density: 0.1, volumeFraction: 1, meanIou: 0.6, seed, method: 'fixed' }))
      pts.push(point({ density: 0.1, volumeFraction: 1, meanIou: 0.4, seed, method: 'random' }))
    }
    const fig = figureMethods(data(pts))
    expect(fig.rows.map((r) => [r.method, r.relativeMean])).toEqual([['fixed', 20], ['random', -20]])
    expect(fig.tests[0]).toMatchObject({ comparison: 'fixed vs random', n: 2 })
    expect(fig.sentence).toMatch(/^fixed scored \+20\.0 % against the mean of the methods .* no pair of methods differed significantly/)
  })

  it('empty figures say so in words and have no chart', () => {
    const fig = figureInterpolation(data([point({ density: 0.1, volumeFraction: 1, meanIou: 0.5 })]))
    expect(fig.chart).toBeNull()
    expect(fig.sentence).toMatch(/no interpolation method/)
  })

  it('CSV quotes fields that need it', () => {
    expect(toCsv([{ a: 1, b: 'x,y' }, { a: null, c: 'say "hi"' }])).toBe('a,b,c\n1,"x,y",\n,,"say ""hi"""\n')
  })
})

describe('writeReport', () => {
  it('writes CSV, JSON, SVG and PNG per figure, the tests, and one offline HTML page', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'wb-report-'))
    const db = openDatabase(':memory:')
    try {
      importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
      const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
      await expect(writeReport(db, sweepId, join(workspace, 'empty'))).rejects.toThrow(/has no finished trial/)
      await runSweep({ db, workspace, runner: fakeRunner().runner }, sweepId, { workers: 2 })
      const out = join(workspace, 'report')
      const summary = await writeReport(db, sweepId, out)
      for (const id of ['fig1-drop', 'fig2-budget', 'fig3-equal-budget', 'fig5-methods']) {
        for (const ext of ['csv', 'json', 'svg', 'png']) expect(existsSync(join(out, `${id}.${ext}`)), `${id}.${ext}`).toBe(true)
        expect(readFileSync(join(out, `${id}.svg`), 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
        expect(readFileSync(join(out, `${id}.png`)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
      }
      // The fake scores rise with slices and volumes: dense is best, so every drop is positive.
      const fig1 = JSON.parse(readFileSync(join(out, 'fig1-drop.json'), 'utf8')) as { rows: { dropMean: number; seeds: number }[] }
      expect(fig1.rows).toHaveLength(4)
      for (const r of fig1.rows) expect(r.dropMean).toBeGreaterThan(0)
      for (const r of fig1.rows) expect(r.seeds).toBe(2)
      expect(readFileSync(join(out, 'fig2-budget.csv'), 'utf8').split('\n')[0]).toBe('model,volumeFraction,density,budgetFraction,iouMean,iouStd,iouCiLow,iouCiHigh,seeds')
      const html = readFileSync(join(out, 'report.html'), 'utf8')
      expect(html).not.toMatch(/<script|<link|<img|src=/)
      expect(html.match(/<svg/g)?.length).toBe(4)
      for (const s of summary.sentences) expect(html).toContain(s.sentence.replace(/&/g, '&amp;'))
      expect(summary.about.join(' ')).toMatch(/Trials: 18 done, 0 failed/)
      expect(JSON.parse(readFileSync(join(out, 'tests.json'), 'utf8'))).toEqual(expect.arrayContaining([expect.objectContaining({ figure: 'fig5', comparison: 'fixed vs random' })]))
    } finally {
      db.close()
    }
  })
})
