import { checkFeatureMatrix, columnMeans, nearestRowTo, squaredDistance, type FeatureMatrix } from '../features/feature-matrix'
import { checkSelectionSize } from './check'
import { groupCentres } from './groups'

/** Options of selectKCenter. */
export interface KCenterOptions {
  /** Row → group id (0..G−1); each group gets at least one centre (needs k ≥ G). */
  groupOf?: ArrayLike<number>
}

/**
 * k-center greedy (the core-set rule of Sener & Savarese 2018): returns k sorted distinct row indices whose
 * covering radius (largest distance of any row to its nearest chosen row) is at most twice the optimum.
 *
 * The first centre is the row nearest the feature mean rather than a random row: the 2× bound holds for any
 * start, so nothing is gained from randomness, and a central start makes the result a pure function of the
 * features (the same slices for every seed) and avoids opening on an outlier. Each later centre is the row
 * farthest from its nearest centre; ties go to the lowest index. With `groupOf`, the greedy starts from each
 * group's most central row instead (see groupCentres) and continues from there.
 */
export function selectKCenter(m: FeatureMatrix, k: number, options: KCenterOptions = {}): number[] {
  checkFeatureMatrix(m)
  checkSelectionSize(m.rows, k, 'rows')
  const n = m.rows
  const start = options.groupOf ? groupCentres(m, options.groupOf) : [nearestRowTo(m, columnMeans(m))]
  if (start.length > k) throw new RangeError(`${start.length} groups each need a centre but k is ${k}`)
  // Squared distance of each row to its nearest centre; −1 marks chosen rows so they are never picked twice
  // (duplicate rows sit at distance 0 and must still be chosen by index, not re-chosen).
  const nearest = new Float64Array(n).fill(Infinity)
  const chosen: number[] = []
  const add = (c: number): void => {
    chosen.push(c)
    nearest[c] = -1
    for (let i = 0; i < n; i++) {
      const d = nearest[i] as number
      if (d < 0) continue
      const e = squaredDistance(m, i, c)
      if (e < d) nearest[i] = e
    }
  }
  for (const c of start) add(c)
  while (chosen.length < k) {
    let best = -1
    let bestD = -1
    for (let i = 0; i < n; i++) {
      const d = nearest[i] as number
      if (d > bestD) {
        bestD = d
        best = i
      }
    }
    add(best)
  }
  return chosen.sort((a, b) => a - b)
}
