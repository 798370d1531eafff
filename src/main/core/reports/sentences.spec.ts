// The rules report sentences follow, on hand-built results: a side is named higher or lower only where the
// Wilcoxon test and the median's 95 % interval both say so (ties and small n say "no difference detectable with
// n = N"); every sentence names n, the test and the effect; the head states the protocol, the split the scores
// come from, and whether the dense baseline plateaued — an under-trained sweep says so at the top.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SweepDefinitionSchema } from '../../../shared/sweep'
import type { ValidationPoint } from '../../../shared/training'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase } from '../store/database'
import { createSweep } from '../sweeps/create-sweep'
import { runSweep } from '../sweeps/run-sweep'
import { fakeResult, smallGrid, tinyTrain } from '../sweeps/test-helpers'
import type { TrainRunner } from '../training/run-training'
import { figureBudget, tableInterpolation } from './figures'
import { denseTrial, handData, handSweep, point } from './report.spec-helpers'
import { baselineStatement, plateauOf } from './plateau'
import { describeProtocol } from './protocol'
import { comparePaired, describeComparison, medianIntervalRank } from './verdict'
import { runningMs, writeReport } from './write-report'

const IOU = { digits: 3, name: 'IoU' }
const names = { first: 'A', second: 'B' }

describe('comparePaired and its sentence', () => {
  it('takes the order statistics that cover the median with ≥ 95 %: none below n = 6', () => {
    // P(Bin(n, ½) ≤ k − 1) ≤ 0.025 for the largest k: n = 6: 1/64; n = 9: 10/512; n = 20: 0.0207 at k = 6 (0.0577 at 7).
    expect([1, 3, 5, 6, 8, 9, 10, 20].map(medianIntervalRank)).toEqual([0, 0, 0, 1, 1, 2, 2, 6])
  })

  it('a tie names no side', () => {
    const c = comparePaired([0, 0, 0, 0, 0, 0])
    expect(c).toMatchObject({ pairs: 6, n: 0, pValue: 1, medianDifference: 0, verdict: 'none' })
    expect(describeComparison(c, names, IOU, 'seed')).toBe('A against B: no difference detectable with n = 6 (median difference 0.000 IoU, 95 % CI 0.000 to 0.000 IoU; Wilcoxon signed-rank, paired by seed, n = 6, p = 1.000)')
  })

  it('three pairs all one way still name no side: the interval is unbounded and p = 0.25', () => {
    const c = comparePaired([0.1, 0.2, 0.3])
    expect(c).toMatchObject({ ciLow: null, ciHigh: null, verdict: 'none' })
    expect(c.pValue).toBeCloseTo(0.25, 12)
    expect(describeComparison(c, names, IOU, 'seed')).toBe(
      'A against B: no difference detectable with n = 3 (median difference +0.200 IoU, 95 % interval unbounded at n = 3; Wilcoxon signed-rank, paired by seed, n = 3, p = 0.250)',
    )
  })

  it('p < 0.05 with an interval that covers 0 names no side', () => {
    // Nine pairs, the two smallest negative: W⁻ = 1 + 2 = 3, exact p = 2·5/512 = 0.0195; the interval is [x₍₂₎, x₍₈₎] ∋ 0.
    const c = comparePaired([-0.01, -0.02, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    expect(c.pValue).toBeCloseTo(10 / 512, 12)
    expect([c.ciLow, c.ciHigh]).toEqual([-0.01, 0.8])
    expect(c.verdict).toBe('none')
  })

  it('names the higher and the lower side where both the test and the interval agree', () => {
    const up = comparePaired([0.01, 0.02, 0.03, 0.04, 0.05, 0.06])
    expect(up).toMatchObject({ verdict: 'higher', ciLow: 0.01, ciHigh: 0.06 })
    expect(describeComparison(up, names, IOU, 'seed')).toBe('A scored higher than B (median difference +0.035 IoU, 95 % CI +0.010 to +0.060 IoU; Wilcoxon signed-rank, paired by seed, n = 6, p = 0.031)')
    expect(comparePaired([-0.01, -0.02, -0.03, -0.04, -0.05, -0.06]).verdict).toBe('lower')
  })
})

const data = handData
const sweep = handSweep

describe('Fig. 2 and Table 3 sentences', () => {
  it('Fig. 2 calls equal best means a tie and names no winner at n = 3', () => {
    const pts = [0, 1, 2].flatMap((seed) => [
      point({ density: 0.1, volumeFraction: 1, meanIou: 0.7 + 0.01 * seed, seed }),
      point({ density: 0.2, volumeFraction: 1, meanIou: 0.72 - 0.01 * seed, seed }),
    ])
    const fig = figureBudget(data(pts))
    expect(fig.sentence).toBe(
      'ρ = 0.1, s = 1 (m, 10.0 % of the slices) and ρ = 0.2, s = 1 (m, 20.0 % of the slices) tied for the highest mean test IoU 0.710. ' +
        'The best against the next best: no difference detectable with n = 3 (median difference 0.000 IoU, 95 % interval unbounded at n = 3; Wilcoxon signed-rank, paired by seed, n = 3, p = 1.000).',
    )
    const valid = figureBudget(data(pts.slice(0, 4), { split: 'validation' }))
    expect(valid.sentence).toMatch(/^The highest mean validation IoU 0\.715 was ρ = 0\.2, s = 1 .*no difference detectable with n = 2/)
    const axis = JSON.stringify(valid.chart)
    expect(axis).toContain('validation IoU (95 % CI clipped to 0–1)')
    expect(axis).not.toContain('test IoU')
  })

  it('Table 3 tests the two best methods on the same plans and says whether quality rises with density', () => {
    const interpolation = [1, 2, 3, 4, 5, 6].flatMap((planId) => {
      const density = planId <= 3 ? 0.1 : 0.2
      return [
        { planId, method: 'sdf', density, volumeFraction: 1, seed: planId, meanIou: 0.6 + density + 0.001 * planId, meanDice: 0 },
        { planId, method: 'propagate', density, volumeFraction: 1, seed: planId, meanIou: 0.5 + density + 0.002 * planId, meanDice: 0 },
      ]
    })
    const table = tableInterpolation({ ...data([]), interpolation })
    expect(table.tests[0]).toMatchObject({ comparison: 'sdf vs propagate', pairs: 6, verdict: 'higher' })
    expect(table.sentence).toBe(
      'Interpolated masks reached a mean IoU against the dense labels of 0.754 with sdf and 0.657 with propagate; sdf scored higher than propagate ' +
        '(median difference +0.097 IoU, 95 % CI +0.094 to +0.099 IoU; Wilcoxon signed-rank, paired by plan, n = 6, p = 0.031); mean IoU rose with density for each of the 2 methods.',
    )
  })
})

describe('plateau of the dense baseline', () => {
  const curve = (dice: number[]): ValidationPoint[] => dice.map((d, i) => ({ step: 100 * (i + 1), dice: d, iou: 0 }))

  it('compares the last point with the last one before the final fifth of the steps', () => {
    // 1000 steps: the last fifth starts after step 800.
    expect(plateauOf(curve([0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.81, 0.812, 0.815, 0.819]), 1000)).toMatchObject({ status: 'plateaued', from: { step: 800 }, to: { step: 1000 } })
    const rising = plateauOf(curve([0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.81, 0.82, 0.83, 0.84]), 1000)
    expect(rising).toMatchObject({ status: 'rising', from: { step: 800, dice: 0.82 } })
    expect(rising.status === 'rising' && rising.rise).toBeCloseTo(0.02, 12)
    expect(plateauOf(null, 1000)).toMatchObject({ status: 'unknown' })
    expect(plateauOf(curve([0.5]), 100)).toMatchObject({ status: 'unknown' })
  })

  it('states the baseline in one line, a warning when any dense run was still rising', () => {
    const flat = { model: 'm', seed: 0, steps: 1000, curve: curve([0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.81, 0.812, 0.815, 0.819]) }
    const up = { model: 'm', seed: 1, steps: 1000, curve: curve([0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.81, 0.82, 0.83, 0.84]) }
    expect(baselineStatement([flat])).toEqual({
      line: 'The dense baseline plateaued: validation Dice rose by less than 0.01 over the last fifth of the steps in 1 of 1 dense runs (the largest rise: m seed 0: 0.812 at step 800 → 0.819 at step 1000, +0.007).',
      underTrained: false,
    })
    expect(baselineStatement([flat, up])).toEqual({
      line:
        'Under-trained: the dense baseline had not plateaued — its validation Dice rose by 0.01 or more over the last fifth of the steps in 1 of 2 dense runs ' +
        '(m seed 1: 0.820 at step 800 → 0.840 at step 1000, +0.020). The scores are of models still improving; more steps may change every comparison below.',
      underTrained: true,
    })
    expect(baselineStatement([{ ...flat, curve: null }]).line).toMatch(/^Whether the dense baseline plateaued is unknown: no validation curve \(valEvery was 0\) in its runs; set valEvery/)
  })
})

describe('the report head', () => {
  it('states the protocol, the split, and an under-trained dense baseline at the top of the page', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'wb-report-head-'))
    const db = openDatabase(':memory:')
    try {
      importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
      const train = { ...tinyTrain, steps: 10, valEvery: 2, evaluateOn: 'validation' }
      const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: { ...smallGrid, methods: ['fixed'] }, train } })
      // Dense runs whose validation Dice still rises by 0.05 over the last fifth of their 10 steps.
      const runner: TrainRunner = async (job) => ({
        ...fakeResult(job),
        validation: { every: 2, patience: 0, volumes: 2, curve: [0.5, 0.6, 0.7, 0.8, 0.85].map((dice, i) => ({ step: 2 * (i + 1), dice, iou: 0 })), bestStep: 10, bestDice: 0.85, stoppedAt: null, evaluatedWeights: 'last', lastCheckpoint: null, ms: 1 },
      })
      await runSweep({ db, workspace, runner }, sweepId, { workers: 1 })
      const out = join(workspace, 'report')
      const summary = await writeReport(db, sweepId, out)
      expect(summary.warnings).toHaveLength(1)
      expect(summary.about[0]).toBe(summary.warnings[0])
      expect(summary.warnings[0]).toMatch(/^Under-trained: the dense baseline had not plateaued — .* in 2 of 2 dense runs \(tiny2d seed 0: 0\.800 at step 8 → 0\.850 at step 10, \+0\.050; tiny2d seed 1: /)
      expect(summary.about).toContain(
        'Protocol: tiny2d (unet2d, depth 1, base channels 4, norm batch); 10 steps at batch 2 on 64×64 slices; adam lr 0.001 (constant schedule), ce loss, augmentation none; ' +
          'fixed iterations, no early stopping (validation Dice recorded every 2 steps); seeds 0, 1 (plans and training); plans drawn from the training split (15 volumes), scored on the validation split (2 volumes).',
      )
      const html = readFileSync(join(out, 'report.html'), 'utf8')
      const warning = html.indexOf('<p class="warning">Under-trained:')
      expect(warning).toBeGreaterThan(0)
      expect(warning).toBeLessThan(html.indexOf('<ul>'))
      expect(html.match(/Under-trained:/g)).toHaveLength(1)
      expect(readFileSync(join(out, 'fig2-budget.svg'), 'utf8')).toContain('validation IoU')
      expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toMatchObject({ warnings: summary.warnings })
      // A sweep with early stopping says so in its protocol line.
      expect(describeProtocol({ ...data([]), sweep: { ...sweep, definition: SweepDefinitionSchema.parse({ ...sweep.definition, train: { patience: 3, valEvery: 50 } }) } })).toMatch(
        /early stopping on \(validation Dice every 50 steps, patience 3, the best-on-validation weights scored\)/,
      )
    } finally {
      db.close()
    }
  })
})

describe('the sweep time in the head', () => {
  it('counts the time with a trial running once, however many ran at once, and leaves out the pauses between', () => {
    const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString()
    // Two overlapping trials (0–10 and 5–20 min), a pause, then one (30–40): 20 + 10 minutes.
    const trials = [denseTrial(0, 0.8, { startedAt: at(5), finishedAt: at(20) }), denseTrial(1, 0.8, { startedAt: at(0), finishedAt: at(10) }), denseTrial(2, 0.8, { startedAt: at(30), finishedAt: at(40) })]
    expect(runningMs(trials)).toBe(30 * 60_000)
    // A trial inside another adds nothing; one that is not done, or has no end, is left out.
    expect(runningMs([...trials, denseTrial(3, 0.8, { startedAt: at(6), finishedAt: at(7) }), { ...denseTrial(4, 0.8, { startedAt: at(50), finishedAt: at(60) }), status: 'failed' }, denseTrial(5, 0.8, { startedAt: at(70) })])).toBe(30 * 60_000)
    expect(runningMs([])).toBe(0)
  })
})
