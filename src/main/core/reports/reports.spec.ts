// The figures' numbers and sentences on hand-made sweep data, and the report files of a stored sweep
// (trained by a fake runner here; cli/cli-sweep.spec.ts makes them from a real sweep of tiny models).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase } from '../store/database'
import { createSweep } from '../sweeps/create-sweep'
import { runSweep } from '../sweeps/run-sweep'
import { fakeRunner, smallGrid, tinyTrain } from '../sweeps/test-helpers'
import { toCsv } from './csv'
import { figureDrop, figureEqualBudget, figureInterpolation, figureMethods, tableInterpolation } from './figures'
import type { SweepData, TrialPoint } from '../../../shared/report-data'
import { handData, point } from './report.spec-helpers'
import { writeReport, writeReportFromData } from './write-report'

const data = (points: TrialPoint[], interpolation: SweepData['interpolation'] = []): SweepData => handData(points, { interpolation })

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
    // Two seeds, both below dense: a loss in each, but n = 2 cannot show one.
    expect(fig.sentence).toBe(
      "Against dense training (Wilcoxon signed-rank on each seed's IoU change relative to its dense model, paired by seed, n = 2 per cell), " +
        'the one sparse cell: no difference detectable with n = 2 (median IoU change −17.5 % (95 % interval unbounded at n = 2) at ρ = 0.1, s = 0.5 (m, 5.0 % of the slices)).',
    )
    expect(fig.sentence).not.toMatch(/lost/)
    expect(fig.tests[0]).toMatchObject({ pairs: 2, medianDifference: -17.5, ciLow: null, ciHigh: null, verdict: 'none' })
  })

  it('Fig. 1 says "lost" only for detectable losses and "above dense" only for detectable gains', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      pts.push(point({ dense: true, density: 1, volumeFraction: 1, meanIou: 0.8, seed }))
      // Below dense in every seed (a loss), above dense in every seed (a gain), and on both sides (no difference).
      pts.push(point({ density: 0.1, volumeFraction: 0.5, meanIou: 0.6 + 0.01 * seed, seed }))
      pts.push(point({ density: 0.2, volumeFraction: 1, meanIou: 0.84 + 0.001 * seed, seed }))
      pts.push(point({ density: 0.4, volumeFraction: 1, meanIou: seed % 2 ? 0.79 - 0.001 * seed : 0.81 + 0.001 * seed, seed }))
    }
    const fig = figureDrop(data(pts))
    expect(fig.tests.map((t) => t.verdict)).toEqual(['lower', 'higher', 'none'])
    expect(fig.sentence).toBe(
      "Against dense training (Wilcoxon signed-rank on each seed's IoU change relative to its dense model, paired by seed, n = 6 per cell), " +
        '1 of 3 sparse cells lost IoU detectably (median IoU change −21.9 % (95 % CI −25.0 to −18.8 %) at ρ = 0.1, s = 0.5 (m, 5.0 % of the slices)); ' +
        '1 of 3 sparse cells scored detectably above dense (median IoU change +5.3 % (95 % CI +5.0 to +5.6 %) at ρ = 0.2, s = 1 (m, 20.0 % of the slices)); ' +
        'the other 1: no difference detectable with n = 6 (median IoU change −0.1 % (95 % CI −1.9 to +1.8 %) at ρ = 0.4, s = 1 (m, 40.0 % of the slices)).',
    )
  })

  it('Fig. 3: counts the equal-budget lines on which more volumes with fewer slices won, with a paired test per line and one over all lines', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      // Budget 0.1: s = 1 beats s = 0.25. Budget 0.2: s = 0.5 loses to s = 0.25 (by a little). No tied differences.
      pts.push(point({ density: 0.1, volumeFraction: 1, meanIou: 0.7 + 0.01 * seed, seed }))
      pts.push(point({ density: 0.4, volumeFraction: 0.25, meanIou: 0.6 + 0.005 * seed, seed }))
      pts.push(point({ density: 0.4, volumeFraction: 0.5, meanIou: 0.7 + 0.001 * seed, seed }))
      pts.push(point({ density: 0.8, volumeFraction: 0.25, meanIou: 0.72, seed }))
    }
    const fig = figureEqualBudget(data(pts))
    expect(fig.sentence).toBe(
      'Along 2 of 2 lines of equal budget (ρ·s), more volumes with fewer slices each against fewer volumes with more slices each (Wilcoxon signed-rank, paired by seed, n = 6 per line): ' +
        'detectably higher on 1, detectably lower on 1 (median difference from −0.018 IoU (95 % CI −0.020 to −0.015 IoU) at budget 0.2 (m), s = 0.5 vs s = 0.25 ' +
        'to +0.112 IoU (95 % CI +0.100 to +0.125 IoU) at budget 0.1 (m), s = 1 vs s = 0.25). ' +
        // Pooled, the two lines' 12 pairs disagree in sign: no side is named.
        'Over both lines of m at once, the most volumes against the fewest: no difference detectable with n = 12 ' +
        '(median difference +0.042 IoU, 95 % CI −0.018 to +0.115 IoU; Wilcoxon signed-rank, paired by line and seed, n = 12, p = 0.176).',
    )
    expect(fig.tests.map((t) => t.comparison)).toEqual(['budget 0.1: s = 1 vs s = 0.25', 'budget 0.2: s = 0.5 vs s = 0.25', 'both lines: most vs fewest volumes'])
    // 6 pairs all in one direction: exact two-sided p = 2/64.
    for (const t of fig.tests.slice(0, 2)) expect(t.pValue).toBeCloseTo(2 / 64, 12)
    // The pooled 12: six +0.100…+0.125 and six −0.020…−0.015, W⁻ = 21 of 78 (exact, no ties).
    expect(fig.tests[2]).toMatchObject({ pairs: 12, statistic: 21, method: 'exact', verdict: 'none' })
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
    expect(fig.tests[0]).toMatchObject({ n: 6, pairs: 6, statistic: 0, method: 'exact', verdict: 'higher' })
    expect(fig.tests[0]?.pValue).toBeCloseTo(2 / 64, 12)
    expect(fig.sentence).toBe(
      'Trained on the same slices, m with propagate masks scored higher than without (median difference +0.066 IoU, 95 % CI +0.060 to +0.072 IoU; Wilcoxon signed-rank, paired by plan and seed, n = 6, p = 0.031).',
    )
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
    expect(fig.tests[0]).toMatchObject({ comparison: 'fixed vs random', n: 2, verdict: 'none' })
    // fixed is 0.2 above random in both pairs, yet two pairs cannot show it: no method is named the better.
    expect(fig.sentence).toBe(
      'Between selection methods, no difference detectable with n = 2 in the one comparison (Wilcoxon signed-rank on IoU, paired by cell and seed, n = 2 per comparison; ' +
        'median difference +0.200 IoU (95 % interval unbounded at n = 2) at fixed vs random (m)).',
    )
    expect(fig.sentence).not.toMatch(/best|higher|lower/)
  })

  it('Fig. 5 names a method higher only where its comparison is detectable', () => {
    const pts: TrialPoint[] = []
    for (const seed of [0, 1, 2]) {
      for (const [density, volumeFraction] of [[0.1, 1], [0.2, 1]] as const) {
        const base = 0.5 + density + 0.01 * seed
        pts.push(point({ density, volumeFraction, meanIou: base + 0.05 + 0.001 * seed, seed, method: 'fixed' }))
        pts.push(point({ density, volumeFraction, meanIou: base, seed, method: 'random' }))
        pts.push(point({ density, volumeFraction, meanIou: base + (seed % 2 ? 0.002 : -0.002) * (1 + density), seed, method: 'representative' }))
      }
    }
    const fig = figureMethods(data(pts))
    expect(fig.tests.map((t) => [t.comparison, t.verdict])).toEqual([['fixed vs random', 'higher'], ['fixed vs representative', 'higher'], ['random vs representative', 'none']])
    expect(fig.sentence).toMatch(/^Between selection methods \(Wilcoxon signed-rank on IoU, paired by cell and seed, n = 6 per comparison\): fixed scored higher than random \(m\) \(median difference \+0\.051 IoU, 95 % CI \+0\.050 to \+0\.052 IoU; Wilcoxon signed-rank, paired by cell and seed, n = 6, p = 0\.0\d\d\); fixed scored higher than representative \(m\)/)
    expect(fig.sentence).toMatch(/; the other 1 of 3 comparisons: no difference detectable with n = 6 \(median difference [+−]0\.\d{3} IoU \(95 % CI −0\.\d{3} to \+0\.\d{3} IoU\) at random vs representative \(m\)\)\.$/)
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
  it('writes CSV, JSON, SVG and PNG per figure, the tests, the findings, one offline HTML page, and the data that replays them', async () => {
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
      // The paper's three findings head the page, each with its verdict.
      expect(html).toContain("<h2>The paper's findings on this data</h2>")
      expect(html.match(/<li data-verdict="[a-z ]+">/g)).toHaveLength(3)
      for (const f of summary.findings) expect(html).toContain(f.sentence.replace(/&/g, '&amp;'))
      // data.json replays the report without the store: the same files, byte for byte.
      const again = join(workspace, 'again')
      await writeReportFromData(join(out, 'data.json'), again)
      for (const f of readdirSync(out)) expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true)
    } finally {
      db.close()
    }
  })
})
