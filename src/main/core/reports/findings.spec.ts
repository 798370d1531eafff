// The paper's three findings on hand-built results: a finding that claims a difference holds only where the test
// finds it; a finding that claims no gain holds only where a gain could have been found (n ≥ 6) and was not,
// and is contradicted by a detected gain; a grid without the cells says "not measured".
import { describe, expect, it } from 'vitest'
import type { TrialPoint } from '../../../shared/report-data'
import { interpolationFinding, paperFindings, selectionFinding, volumesFinding } from './findings'
import { handData, point } from './report.spec-helpers'

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** Two lines of equal budget (0.2 and 0.1); `gain(seed, line)` is the s = 1 end's IoU above its s = 0.25 end. */
function lines(n: number, gain: (seed: number, line: number) => number): TrialPoint[] {
  return seeds(n).flatMap((seed) => [
    point({ density: 0.2, volumeFraction: 1, meanIou: 0.7 + gain(seed, 0), seed }),
    point({ density: 0.4, volumeFraction: 0.5, meanIou: 0.69, seed }),
    point({ density: 0.8, volumeFraction: 0.25, meanIou: 0.7, seed }),
    point({ density: 0.1, volumeFraction: 1, meanIou: 0.6 + gain(seed, 1), seed }),
    point({ density: 0.4, volumeFraction: 0.25, meanIou: 0.6, seed }),
  ])
}

describe('finding 1: more volumes with fewer slices each', () => {
  it('holds where the most-volumes end wins in every one of the 6 line-seed pairs, and names n, p and the interval', () => {
    const f = volumesFinding(handData(lines(3, (seed, line) => 0.01 + 0.002 * seed + 0.0012 * line)))
    expect(f.verdict).toBe('holds')
    // Differences 0.010 0.012 0.014 (line 0.2) and 0.0112 0.0132 0.0152 (line 0.1): median 0.0126, interval [x₍₁₎, x₍₆₎], p = 2/64.
    expect(f.sentence).toBe(
      'Holds here: over both lines of equal budget (0.2, 0.1), the most volumes with the fewest slices each scored higher than the fewest volumes with the most ' +
        '(median difference +0.013 IoU, 95 % CI +0.010 to +0.015 IoU; Wilcoxon signed-rank, paired by line and seed, n = 6, p = 0.031).',
    )
  })

  it('is contradicted where the fewest-volumes end wins every pair', () => {
    expect(volumesFinding(handData(lines(3, (seed) => -0.02 - 0.001 * seed))).verdict).toBe('contradicted')
  })

  it('is not detectable with mixed signs, and with one line of three seeds (n = 3) whatever the scores', () => {
    expect(volumesFinding(handData(lines(3, (seed, line) => (seed + line) % 2 ? 0.03 : -0.01))).verdict).toBe('not detectable')
    const one = seeds(3).flatMap((seed) => [point({ density: 0.2, volumeFraction: 1, meanIou: 0.8 + 0.01 * seed, seed }), point({ density: 0.8, volumeFraction: 0.25, meanIou: 0.5, seed })])
    const f = volumesFinding(handData(one))
    expect(f.verdict).toBe('not detectable')
    expect(f.sentence).toMatch(/^Not detectable here: over the line of equal budget \(0\.2\), .*no difference detectable with n = 3 .*paired by seed, n = 3, p = 0\.250\)\.$/)
  })

  it('is not measured without two cells of equal budget', () => {
    expect(volumesFinding(handData([point({ density: 0.2, volumeFraction: 1, meanIou: 0.8 })])).verdict).toBe('not measured')
  })
})

describe('finding 2: representative selection is not better than random or fixed', () => {
  const methods = (n: number, rep: (seed: number, cell: number) => number): TrialPoint[] =>
    seeds(n).flatMap((seed) =>
      [0.2, 0.05].flatMap((density, cell) => [
        point({ density, volumeFraction: 1, meanIou: 0.6 + 0.001 * seed, seed, method: 'fixed' }),
        point({ density, volumeFraction: 1, meanIou: 0.6 - 0.001 * seed, seed, method: 'random' }),
        point({ density, volumeFraction: 1, meanIou: 0.6 + rep(seed, cell), seed, method: 'representative' }),
      ]),
    )

  it('is contradicted where representative scores above a method in all 6 cell-seed pairs', () => {
    const f = selectionFinding(handData(methods(3, (seed, cell) => 0.05 + 0.003 * seed + 0.001 * cell)))
    expect(f.verdict).toBe('contradicted')
    expect(f.sentence).toMatch(/^Does not hold here: representative scored higher than fixed \(median difference \+0\.\d{3} IoU, 95 % CI \+0\.\d{3} to \+0\.\d{3} IoU; Wilcoxon signed-rank, paired by cell and seed, n = 6, p = 0\.031\); representative scored higher than random/)
  })

  it('is contradicted in part where representative beats one method but not the other', () => {
    // fixed sits at 0.6 + 0.001·seed and random at 0.6 − 0.001·seed; representative 0.0005 above fixed in every pair is
    // detectably above fixed, and within random's spread of fixed so not detectably above random in every pair.
    const pts = methods(3, (seed) => 0.0015 * seed + 0.0005).map((p) => (p.method === 'random' ? { ...p, meanIou: p.meanIou + (p.seed === 1 ? 0.01 : 0) } : p))
    const f = selectionFinding(handData(pts))
    expect(f.verdict).toBe('contradicted')
    expect(f.sentence).toMatch(/^Does not hold here in at least one comparison: representative scored higher than fixed .*; representative against random: no difference detectable with n = 6/)
  })

  it('holds where representative is not detectably higher and 6 pairs could have shown it', () => {
    const f = selectionFinding(handData(methods(3, (seed, cell) => ((seed + cell) % 2 ? 0.004 : -0.004) * (1 + seed))))
    expect(f.verdict).toBe('holds')
    expect(f.sentence).toMatch(/^Holds here: representative against fixed: no difference detectable with n = 6 .*; representative against random: no difference detectable with n = 6 /)
    expect(f.sentence).not.toMatch(/cannot name a side/)
  })

  it('holds where representative is detectably lower (it is still not better)', () => {
    expect(selectionFinding(handData(methods(3, (seed, cell) => -0.05 - 0.002 * seed - 0.001 * cell))).verdict).toBe('holds')
  })

  it('is not detectable below 6 pairs, even where representative wins every pair, and says why', () => {
    const f = selectionFinding(handData(methods(2, () => 0.1)))
    expect(f.verdict).toBe('not detectable')
    expect(f.sentence).toMatch(/no difference detectable with n = 4 .*Below 6 pairs the test cannot name a side whatever the scores, so silence there is not agreement\.$/)
  })

  it('is not measured where no cell has representative beside another method', () => {
    expect(selectionFinding(handData(lines(3, () => 0.01))).verdict).toBe('not measured')
  })
})

describe('finding 3: interpolated masks rarely improve the model', () => {
  const interp = (withGain: (seed: number, cell: number) => number): TrialPoint[] =>
    seeds(3).flatMap((seed) =>
      [0.2, 0.05].flatMap((density, cell) => [
        point({ density, volumeFraction: 1, meanIou: 0.6 + 0.01 * seed, seed }),
        point({ density, volumeFraction: 1, meanIou: 0.6 + 0.01 * seed + withGain(seed, cell), seed, interpolation: 'propagate' }),
      ]),
    )

  it('is contradicted by a gain in all 6 plan-seed pairs, and names the densities', () => {
    const f = interpolationFinding(handData(interp((seed, cell) => 0.02 + 0.001 * seed + 0.0005 * cell)))
    expect(f.verdict).toBe('contradicted')
    expect(f.sentence).toMatch(/^Does not hold here: propagate masks \(ρ 0\.05, 0\.2\) scored higher than the sparse slices alone \(.*paired by plan and seed, n = 6, p = 0\.031\)\.$/)
  })

  it('holds where the masks change nothing detectable', () => {
    expect(interpolationFinding(handData(interp((seed, cell) => ((seed + cell) % 2 ? 0.01 : -0.012) * (1 + cell)))).verdict).toBe('holds')
  })

  it('is not measured without interpolation in the grid', () => {
    expect(interpolationFinding(handData(lines(3, () => 0.01))).verdict).toBe('not measured')
  })
})

describe('paperFindings', () => {
  it('answers the three findings in the paper\'s order', () => {
    expect(paperFindings(handData(lines(3, () => 0.01))).map((f) => [f.id, f.verdict])).toEqual([
      ['volumes', 'holds'],
      ['selection', 'not measured'],
      ['interpolation', 'not measured'],
    ])
  })
})
