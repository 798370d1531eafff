/** Slice selection: fixed interval, uniform random and representative (k-center / k-medoids) behind one call. */
import type { SelectionMethod, SelectionRule } from '../../../../shared/plan'
import type { Rng } from '../../random/rng'
import { stackRows, type FeatureMatrix } from '../features/feature-matrix'
import { selectFixedInterval } from './fixed-interval'
import { selectKCenter } from './kcenter'
import { selectKMedoids } from './kmedoids'
import { selectUniformRandom } from './uniform-random'

export { selectFixedInterval } from './fixed-interval'
export { selectUniformRandom } from './uniform-random'
export { selectKCenter, type KCenterOptions } from './kcenter'
export { selectKMedoids, kMedoidsCost, type KMedoidsOptions } from './kmedoids'

/** What every selector gets for one volume: its slice count, the budget k, the rng and (if needed) features. */
export interface SliceSelectionInput {
  /** Slices along the volume's slice axis. */
  sliceCount: number
  /** Slices to select, 1 ≤ k ≤ sliceCount. */
  k: number
  /** The only source of randomness (used by 'random' and by k-medoids seeding). */
  rng: Rng
  /** One row per slice; required by 'representative'. */
  features?: FeatureMatrix
}

/** Options of selectSlices. */
export interface SliceSelectionOptions {
  /** Representative only: k-center greedy (default) or k-medoids. */
  rule?: SelectionRule
  /** Fixed interval only: the first slice's position within its interval, in [0, 1); default 0.5 (centred). */
  offset?: number
}

/** Selects k slices of one volume by the given method; returns sorted distinct slice indices. */
export function selectSlices(method: SelectionMethod, input: SliceSelectionInput, options: SliceSelectionOptions = {}): number[] {
  const { sliceCount, k, rng, features } = input
  switch (method) {
    case 'fixed':
      return selectFixedInterval(sliceCount, k, options.offset ?? 0.5)
    case 'random':
      return selectUniformRandom(sliceCount, k, rng)
    case 'representative': {
      if (!features) {
        throw new Error('representative selection needs slice features (input.features, one row per slice): extract them first with a SliceFeatureExtractor (e.g. pca)')
      }
      if (features.rows !== sliceCount) {
        throw new RangeError(`the feature matrix has ${features.rows} rows but the volume has ${sliceCount} slices: features need one row per slice`)
      }
      const rule = options.rule ?? 'kcenter'
      return rule === 'kcenter' ? selectKCenter(features, k) : selectKMedoids(features, k, rng)
    }
    default: {
      const never: never = method
      throw new Error(`unknown selection method ${String(never)}`)
    }
  }
}

/** Options of selectAcrossVolumes. */
export interface AcrossVolumesOptions {
  /**
   * Least slices per volume: 1 (default) or 0. With 1 every volume given is treated as selected for
   * annotation, and a selected volume with no annotated slice would waste its selection; needs totalK ≥ volumes.
   */
  minPerVolume?: 0 | 1
}

/**
 * The dataset-level variant: spends totalK slices across all volumes' slices at once, in their joint feature
 * space (every matrix must have the same columns, e.g. PCA fitted on all volumes), so per-volume counts differ.
 * By default each volume first gets its most central slice and the rule then spends the rest where the joint
 * coverage needs it (see KCenterOptions / KMedoidsOptions groupOf). Returns each volume's sorted slice indices.
 */
export function selectAcrossVolumes(
  perVolume: readonly FeatureMatrix[],
  totalK: number,
  rule: SelectionRule,
  rng: Rng,
  options: AcrossVolumesOptions = {},
): number[][] {
  const minPerVolume = options.minPerVolume ?? 1
  if (perVolume.length === 0) throw new RangeError('selectAcrossVolumes needs at least one volume')
  perVolume.forEach((m, v) => {
    if (m.rows < 1) throw new RangeError(`volume ${v} has no slices`)
  })
  const { matrix, offsets } = stackRows(perVolume)
  if (minPerVolume === 1 && totalK < perVolume.length) {
    throw new RangeError(
      `${totalK} slices cannot give each of ${perVolume.length} volumes at least one: select fewer volumes, raise the density, or pass minPerVolume 0`,
    )
  }
  let groupOf: Int32Array | undefined
  if (minPerVolume === 1) {
    groupOf = new Int32Array(matrix.rows)
    perVolume.forEach((m, v) => groupOf!.fill(v, offsets[v] as number, (offsets[v] as number) + m.rows))
  }
  const picked = rule === 'kcenter' ? selectKCenter(matrix, totalK, { groupOf }) : selectKMedoids(matrix, totalK, rng, { groupOf })
  const out: number[][] = perVolume.map(() => [])
  // picked is sorted, so walking volumes in order keeps each volume's list sorted too.
  let v = 0
  for (const row of picked) {
    while (v + 1 < perVolume.length && row >= (offsets[v + 1] as number)) v++
    out[v]!.push(row - (offsets[v] as number))
  }
  return out
}
