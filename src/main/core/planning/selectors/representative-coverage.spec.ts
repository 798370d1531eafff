// Representative selection on real MRI: in each volume's own PCA feature space, the selected slices must be
// closer to the rest of the volume than random slices are. Coverage = mean distance of every slice to its
// nearest selected slice; the reference is the mean coverage over 20 random draws of the same k.
//
// Measured (ratio = representative coverage / mean random coverage, per volume; 20 bundled | 260 full):
//   k-medoids  ρ 0.1: median 0.808 | 0.813, worst 0.839 | 0.861    ρ 0.2: median 0.754 | 0.746, worst 0.785 | 0.795
//   k-center   ρ 0.1: median 0.895 | 0.895, p90 0.971 | 0.948, worst 1.004 | 1.077
//              ρ 0.2: median 0.843 | 0.841, p90 0.901 | 0.894, worst 0.929 | 0.989
//   (fixed interval, for reference: ρ 0.1 median 0.838, ρ 0.2 median 0.758 — adjacent slices are alike, so an
//    even spread is already a good cover; k-center targets the worst-covered slice, not the mean.)
// Asserted margins leave room for those figures:
//   k-medoids: ≥ 10 % lower in every volume; median ≥ 15 % (ρ 0.1) / 20 % (ρ 0.2) lower.
//   k-center: lower in ≥ 90 % of volumes; median ≥ 5 % (ρ 0.1) / 10 % (ρ 0.2) lower.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SelectionRule } from '../../../../shared/plan'
import { hippocampusDir, sampleDataDir } from '../../../test-support/shared-data'
import { createRng } from '../../random/rng'
import { readImageFile } from '../../volume'
import { slicesPerVolume } from '../budget'
import { meanCoverageDistance, type FeatureMatrix } from '../features/feature-matrix'
import { pcaFeatures } from '../features/pca'
import { selectSlices } from '.'

/** Budget as the plans spend it: k = max(1, round(ρ·n)), never more than n. */
const budget = slicesPerVolume

function loadFeatures(dir: string): FeatureMatrix[] {
  const files = readdirSync(join(dir, 'images'))
    .filter((f) => f.endsWith('.nii.gz'))
    .sort()
  return pcaFeatures(
    files.map((f) => readImageFile(join(dir, 'images', f))),
    { fitOn: 'each' },
    createRng(0),
  )
}

/** Per volume: representative coverage / mean coverage of 20 random draws. */
function coverageRatios(features: FeatureMatrix[], rule: SelectionRule, density: number): number[] {
  return features.map((m, v) => {
    const k = budget(m.rows, density)
    const ours = meanCoverageDistance(m, selectSlices('representative', { sliceCount: m.rows, k, rng: createRng(v), features: m }, { rule }))
    let random = 0
    for (let d = 0; d < 20; d++) random += meanCoverageDistance(m, selectSlices('random', { sliceCount: m.rows, k, rng: createRng(10_000 + 20 * v + d) }))
    return ours / (random / 20)
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2
}

const margins: { rule: SelectionRule; density: number; check: (r: number[]) => void }[] = [
  {
    rule: 'kmedoids',
    density: 0.1,
    check: (r) => {
      expect(Math.max(...r)).toBeLessThanOrEqual(0.9)
      expect(median(r)).toBeLessThanOrEqual(0.85)
    },
  },
  {
    rule: 'kmedoids',
    density: 0.2,
    check: (r) => {
      expect(Math.max(...r)).toBeLessThanOrEqual(0.9)
      expect(median(r)).toBeLessThanOrEqual(0.8)
    },
  },
  {
    rule: 'kcenter',
    density: 0.1,
    check: (r) => {
      expect(r.filter((x) => x < 1).length).toBeGreaterThanOrEqual(0.9 * r.length)
      expect(median(r)).toBeLessThanOrEqual(0.95)
    },
  },
  {
    rule: 'kcenter',
    density: 0.2,
    check: (r) => {
      expect(r.filter((x) => x < 1).length).toBeGreaterThanOrEqual(0.9 * r.length)
      expect(median(r)).toBeLessThanOrEqual(0.9)
    },
  },
]

function coverageSuite(dir: () => string): void {
  let features: FeatureMatrix[] = []
  it('extracts per-volume PCA features', () => {
    features = loadFeatures(dir())
    expect(features.length).toBeGreaterThan(0)
  })
  for (const { rule, density, check } of margins) {
    it(`${rule} covers each volume better than random at ρ = ${density}`, () => {
      check(coverageRatios(features, rule, density))
    })
  }
}

describe('representative coverage on the 20 bundled sample volumes', () => {
  coverageSuite(() => sampleDataDir)
})

describe.skipIf(!hippocampusDir)('representative coverage on all 260 MSD hippocampus volumes (needs ../shared/data)', () => {
  coverageSuite(() => hippocampusDir as string)
})
