import type { PatchSampling } from '../../../../shared/training'
import { InputError } from '../../../../shared/errors'
import type { Rng } from '../../random/rng'
import type { TrainingVolume } from '../types'

/** A voxel to centre a patch on: the volume's position in the list and the voxel's flat (i-fastest) index. */
export interface PatchCentre {
  readonly volume: number
  readonly voxel: number
}

/** One centring category: an annotated class label, or 'unannotated' (any label). */
export interface CentreCategory {
  readonly category: number | 'unannotated'
  /** Voxels of this category over all volumes. */
  readonly voxels: number
  /** Probability of drawing this category (0 when it has no voxels or no weight). */
  readonly probability: number
}

export interface CentreSampler {
  /** Draws a category by its probability, then a voxel of it uniformly over all volumes. */
  draw(rng: Rng): PatchCentre
  readonly categories: readonly CentreCategory[]
}

/** The voxels of one category: per volume, their flat indices, and the running count before each volume. */
interface CategoryVoxels {
  readonly perVolume: Uint32Array[]
  readonly before: Float64Array
  readonly total: number
}

/**
 * Where 3D patches are centred. Categories are the class labels 0..numClasses−1 over annotated voxels and
 * one for unannotated voxels; their weights come from `sampling` (default: equal weight for every class
 * present among annotated voxels, 0 for unannotated), categories without voxels are skipped and the rest
 * renormalised. Voxel lists are built once, and only for categories that can be drawn (4 bytes a voxel).
 */
export function createCentreSampler(volumes: readonly TrainingVolume[], numClasses: number, sampling: PatchSampling): CentreSampler {
  const unannotated = numClasses // index of the unannotated category
  const categoryCount = numClasses + 1
  if (sampling.classWeights && sampling.classWeights.length !== numClasses) {
    throw new InputError('patchSampling.classWeights', `has ${sampling.classWeights.length} weights but the model has ${numClasses} classes`)
  }
  for (const w of [...(sampling.classWeights ?? []), sampling.unannotated]) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new InputError('patchSampling', `weights must be finite and non-negative, got ${w}`)
  }
  // Pass 1: voxels of every category in every volume.
  const counts = volumes.map((volume) => countCategories(volume, numClasses))
  const totals = new Float64Array(categoryCount)
  for (const c of counts) for (let k = 0; k < categoryCount; k++) totals[k] = (totals[k] as number) + (c[k] as number)
  const weights = new Float64Array(categoryCount)
  for (let label = 0; label < numClasses; label++) {
    const present = (totals[label] as number) > 0
    weights[label] = present ? (sampling.classWeights ? (sampling.classWeights[label] as number) : 1) : 0
  }
  weights[unannotated] = (totals[unannotated] as number) > 0 ? sampling.unannotated : 0
  const weightSum = weights.reduce((a, b) => a + b, 0)
  if (!(weightSum > 0)) {
    throw new InputError('patchSampling', 'no category with voxels has a positive weight: there is nowhere to centre a patch')
  }
  const probabilities = Array.from(weights, (w) => w / weightSum)
  // Pass 2: the voxel lists of drawable categories.
  const lists = new Map<number, CategoryVoxels>()
  for (let k = 0; k < categoryCount; k++) {
    if ((probabilities[k] as number) === 0) continue
    const before = new Float64Array(volumes.length + 1)
    counts.forEach((c, v) => (before[v + 1] = (before[v] as number) + (c[k] as number)))
    lists.set(k, { perVolume: volumes.map((volume, v) => listCategory(volume, k, numClasses, counts[v]?.[k] ?? 0)), before, total: totals[k] as number })
  }
  const cumulative = new Float64Array(categoryCount)
  probabilities.reduce((acc, pr, k) => (cumulative[k] = acc + pr), 0)
  const lastDrawable = Math.max(...[...lists.keys()])

  return {
    categories: probabilities.map((probability, k) => ({ category: k === unannotated ? 'unannotated' : k, voxels: totals[k] as number, probability })),
    draw(rng: Rng): PatchCentre {
      const u = rng.next()
      let k = 0
      // Rounding can leave the last cumulative value just under 1: fall back to the last drawable category.
      while (k < categoryCount && ((probabilities[k] as number) === 0 || u >= (cumulative[k] as number))) k++
      const list = lists.get(k < categoryCount ? k : lastDrawable) as CategoryVoxels
      const r = rng.int(list.total)
      const v = upperBound(list.before, r) - 1
      return { volume: v, voxel: (list.perVolume[v] as Uint32Array)[r - (list.before[v] as number)] as number }
    },
  }
}

function countCategories(volume: TrainingVolume, numClasses: number): Float64Array {
  const counts = new Float64Array(numClasses + 1)
  const { labels, annotated } = volume
  for (let p = 0; p < labels.length; p++) {
    const label = labels[p] as number
    if (label >= numClasses) throw new InputError(volume.caseId, `has label ${label} but the model has only ${numClasses} classes`)
    const k = annotated && annotated[p] === 0 ? numClasses : label
    counts[k] = (counts[k] as number) + 1
  }
  return counts
}

function listCategory(volume: TrainingVolume, category: number, numClasses: number, count: number): Uint32Array {
  const list = new Uint32Array(count)
  const { labels, annotated } = volume
  let n = 0
  for (let p = 0; p < labels.length; p++) {
    const k = annotated && annotated[p] === 0 ? numClasses : (labels[p] as number)
    if (k === category) list[n++] = p
  }
  return list
}

/** First index whose value is greater than `x` in an ascending array. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as number) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}
