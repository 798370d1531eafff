import type { Rng } from '../../random/rng'
import { checkFeatureMatrix, squaredDistance, type FeatureMatrix } from '../features/feature-matrix'
import { allIndices, checkSelectionSize } from './check'
import { countGroups, groupCentres } from './groups'

/** Options of selectKMedoids. */
export interface KMedoidsOptions {
  /** Row → group id (0..G−1); each group keeps at least one medoid throughout (needs k ≥ G). */
  groupOf?: ArrayLike<number>
  /** Cap on Voronoi iterations (each reassigns all rows and re-centres every cluster). Default 50. */
  maxVoronoiIterations?: number
  /** Cap on rounds of swap refinement (each round tries every non-medoid once). Default 20. */
  maxSwapRounds?: number
  /**
   * Swap refinement, and a precomputed distance matrix, only up to this many rows (default 2500: a 50 MB
   * float64 matrix and O(n²) work per round). Above it only Voronoi iteration runs, which needs O(n·k) per step.
   */
  swapMaxRows?: number
  /**
   * Independent seedings, keeping the lowest objective (default 5 up to 500 rows, else 1). Swap refinement
   * stops at a local optimum; on brute-forced small cases one run misses the global optimum in about 8 % of
   * cases (up to 1.4× its cost). Restarts cost little at per-volume sizes (≤ 1 ms for 36 slices) but scale
   * with n·k, so large joint selections get one run.
   */
  restarts?: number
}

/** Euclidean distances between rows, from a precomputed matrix when it is small enough, else on the fly. */
interface Distances {
  (i: number, j: number): number
}

function distances(m: FeatureMatrix, precompute: boolean): Distances {
  if (!precompute) return (i, j) => Math.sqrt(squaredDistance(m, i, j))
  const n = m.rows
  const table = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.sqrt(squaredDistance(m, i, j))
      table[i * n + j] = d
      table[j * n + i] = d
    }
  }
  return (i, j) => table[i * n + j] as number
}

/** Sum over rows of the Euclidean distance to the nearest medoid: the k-medoids objective. */
export function kMedoidsCost(m: FeatureMatrix, medoids: readonly number[]): number {
  let total = 0
  for (let i = 0; i < m.rows; i++) {
    let best = Infinity
    for (const c of medoids) {
      const d = squaredDistance(m, i, c)
      if (d < best) best = d
    }
    total += Math.sqrt(best)
  }
  return total
}

/**
 * Seeding by distance sampling (k-means++ with D¹ weights, the analogue for a sum of plain distances):
 * each new medoid is drawn with probability proportional to its distance from the nearest medoid so far.
 */
function seedMedoids(n: number, k: number, start: number[], dist: Distances, rng: Rng): number[] {
  const medoids = start.slice()
  const isMedoid = new Uint8Array(n)
  const near = new Float64Array(n).fill(Infinity)
  const add = (c: number): void => {
    isMedoid[c] = 1
    for (let i = 0; i < n; i++) {
      const d = dist(i, c)
      if (d < (near[i] as number)) near[i] = d
    }
  }
  if (medoids.length === 0) medoids.push(rng.int(n))
  for (const c of medoids) add(c)
  while (medoids.length < k) {
    let total = 0
    for (let i = 0; i < n; i++) if (!isMedoid[i]) total += near[i] as number
    let pick = -1
    if (total > 0) {
      let r = rng.next() * total
      for (let i = 0; i < n; i++) {
        if (isMedoid[i]) continue
        const w = near[i] as number
        if (w > 0) pick = i
        r -= w
        if (r < 0 && w > 0) break
      }
    } else {
      // Every remaining row duplicates a medoid: any of them costs the same, so take the lowest index.
      pick = isMedoid.indexOf(0)
    }
    medoids.push(pick)
    add(pick)
  }
  return medoids
}

/** Each row's nearest and second-nearest medoid (positions in the medoid list) and distances to them. */
interface Assignment {
  nearest: Int32Array
  second: Int32Array
  dNear: Float64Array
  dSecond: Float64Array
}

/** Recomputes row o's nearest and second-nearest medoid from scratch (O(k)). */
function rescan(o: number, medoids: readonly number[], dist: Distances, a: Assignment): void {
  let p1 = -1
  let p2 = -1
  let d1 = Infinity
  let d2 = Infinity
  for (let p = 0; p < medoids.length; p++) {
    const c = medoids[p] as number
    // A medoid always belongs to its own cluster, even when a duplicate row is another medoid.
    const d = c === o ? -1 : dist(o, c)
    if (d < d1) {
      p2 = p1
      d2 = d1
      p1 = p
      d1 = d
    } else if (d < d2) {
      p2 = p
      d2 = d
    }
  }
  a.nearest[o] = p1
  a.second[o] = p2
  a.dNear[o] = Math.max(0, d1)
  a.dSecond[o] = d2
}

function assign(n: number, medoids: readonly number[], dist: Distances): Assignment {
  const a: Assignment = { nearest: new Int32Array(n), second: new Int32Array(n), dNear: new Float64Array(n), dSecond: new Float64Array(n) }
  for (let o = 0; o < n; o++) rescan(o, medoids, dist, a)
  return a
}

/**
 * Updates an assignment after medoid position p became row c: O(1) per row, except the rows whose nearest or
 * second-nearest was p (about 2n/k of them), which are rescanned. This is what keeps a swap O(n) rather than O(n·k).
 */
function updateAfterSwap(n: number, medoids: readonly number[], p: number, dist: Distances, a: Assignment): void {
  const c = medoids[p] as number
  for (let o = 0; o < n; o++) {
    if (o === c || a.nearest[o] === p || a.second[o] === p) {
      rescan(o, medoids, dist, a)
      continue
    }
    const d = dist(o, c)
    if (d < (a.dNear[o] as number)) {
      a.second[o] = a.nearest[o] as number
      a.dSecond[o] = a.dNear[o] as number
      a.nearest[o] = p
      a.dNear[o] = d
    } else if (d < (a.dSecond[o] as number)) {
      a.second[o] = p
      a.dSecond[o] = d
    }
  }
}

/**
 * Voronoi iteration: assign rows to their nearest medoid, move each medoid to the member with the least sum of
 * distances to its cluster, repeat until nothing moves. A medoid that is its group's only one may move only
 * within its group; counts are updated as medoids move, so two medoids cannot leave a group together.
 */
function voronoi(n: number, medoids: number[], dist: Distances, maxIter: number, groupOf?: ArrayLike<number>, groupCount?: Int32Array): void {
  for (let iter = 0; iter < maxIter; iter++) {
    const { nearest } = assign(n, medoids, dist)
    const clusters: number[][] = medoids.map(() => [])
    for (let i = 0; i < n; i++) clusters[nearest[i] as number]!.push(i)
    let moved = false
    for (let p = 0; p < medoids.length; p++) {
      const members = clusters[p] as number[]
      const current = medoids[p] as number
      const g = groupOf ? (groupOf[current] as number) : 0
      const pinned = groupOf !== undefined && groupCount !== undefined && (groupCount[g] as number) < 2
      const sumTo = (c: number): number => {
        let s = 0
        for (const o of members) s += dist(c, o)
        return s
      }
      let best = current
      let bestSum = sumTo(current)
      for (const c of members) {
        if (c === current || (pinned && groupOf![c] !== g)) continue
        const s = sumTo(c)
        // Strictly better only, so a tie never makes the iteration oscillate.
        if (s < bestSum - 1e-12 * bestSum) {
          bestSum = s
          best = c
        }
      }
      if (best !== current) {
        if (groupOf && groupCount) {
          groupCount[g]!--
          groupCount[groupOf[best] as number]!++
        }
        medoids[p] = best
        moved = true
      }
    }
    if (!moved) return
  }
}

/**
 * Swap refinement in the style of PAM's SWAP with FastPAM1's shared bookkeeping (Schubert & Rousseeuw 2019):
 * for a candidate row c, the cost change of swapping c in for every medoid at once costs one pass over the rows,
 * using each row's nearest and second-nearest medoid. Swaps are applied eagerly (the best medoid to replace for
 * the first improving candidate), which converges in far fewer rounds than best-swap-per-round PAM.
 */
function swapRefine(n: number, medoids: number[], dist: Distances, maxRounds: number, groupOf?: ArrayLike<number>, groupCount?: Int32Array): void {
  const k = medoids.length
  const isMedoid = new Uint8Array(n)
  for (const c of medoids) isMedoid[c] = 1
  const state = assign(n, medoids, dist)
  const { nearest, dNear, dSecond } = state
  // Removal loss of each medoid (its rows fall back to their second-nearest) and the current objective;
  // both depend only on the assignment, so they are refreshed after a swap, not per candidate.
  const loss = new Float64Array(k)
  let cost = 0
  const refresh = (): void => {
    loss.fill(0)
    cost = 0
    for (let o = 0; o < n; o++) {
      loss[nearest[o] as number]! += (dSecond[o] as number) - (dNear[o] as number)
      cost += dNear[o] as number
    }
  }
  refresh()
  const delta = new Float64Array(k)
  for (let round = 0; round < maxRounds; round++) {
    let improved = false
    for (let c = 0; c < n; c++) {
      if (isMedoid[c]) continue
      delta.set(loss)
      let shared = 0
      for (let o = 0; o < n; o++) {
        const d = dist(o, c)
        const dn = dNear[o] as number
        const p = nearest[o] as number
        if (d < dn) {
          // o moves to c whichever medoid leaves; its fall-back cost counted in loss must be undone for p.
          shared += d - dn
          delta[p]! += dn - (dSecond[o] as number)
        } else if (d < (dSecond[o] as number)) {
          // Only if p leaves does o go to c (instead of its second-nearest).
          delta[p]! += d - (dSecond[o] as number)
        }
      }
      let bestP = -1
      // Improvements below 1e-9 of the objective are rounding noise, not worth a swap.
      let bestDelta = -1e-9 * cost
      for (let p = 0; p < k; p++) {
        const r = medoids[p] as number
        if (groupOf && groupCount && (groupCount[groupOf[r] as number] as number) < 2 && groupOf[r] !== groupOf[c]) continue
        const total = (delta[p] as number) + shared
        if (total < bestDelta) {
          bestDelta = total
          bestP = p
        }
      }
      if (bestP < 0) continue
      const out = medoids[bestP] as number
      if (groupOf && groupCount) {
        groupCount[groupOf[out] as number]!--
        groupCount[groupOf[c] as number]!++
      }
      isMedoid[out] = 0
      isMedoid[c] = 1
      medoids[bestP] = c
      updateAfterSwap(n, medoids, bestP, dist, state)
      refresh()
      improved = true
    }
    if (!improved) return
  }
}

/**
 * k-medoids selection (representativeness, as in Zheng et al. 2019/2020): k sorted distinct rows that
 * (locally) minimise the sum over all rows of the Euclidean distance to the nearest chosen row.
 *
 * Initialisation is distance-weighted seeding from the injected rng (k-means++ with D¹ weights), not k-center
 * greedy: k-center deliberately opens on the farthest rows, i.e. outliers, which are the worst medoids for a sum
 * objective and which Voronoi iteration cannot move (a singleton cluster's medoid is already its best member).
 * Then Voronoi iteration (cheap, O(n·k) per step) and, for up to `swapMaxRows` rows, eager swap refinement
 * until no single swap improves the objective: such a result is also Voronoi-stable. Deterministic for a seed.
 * With `groupOf`, seeding starts from each group's most central row and no step leaves a group without a medoid.
 */
export function selectKMedoids(m: FeatureMatrix, k: number, rng: Rng, options: KMedoidsOptions = {}): number[] {
  checkFeatureMatrix(m)
  checkSelectionSize(m.rows, k, 'rows')
  const n = m.rows
  if (k === n) return allIndices(n)
  const { groupOf, maxVoronoiIterations = 50, maxSwapRounds = 20, swapMaxRows = 2500 } = options
  let start: number[] = []
  let groupCount: Int32Array | undefined
  if (groupOf) {
    start = groupCentres(m, groupOf)
    if (start.length > k) throw new RangeError(`${start.length} groups each need a medoid but k is ${k}`)
    groupCount = new Int32Array(countGroups(groupOf, n))
  }
  const swap = n <= swapMaxRows && k > 1
  const restarts = options.restarts ?? (n <= 500 ? 5 : 1)
  if (!(Number.isInteger(restarts) && restarts >= 1)) throw new RangeError(`restarts must be a positive integer, got ${restarts}`)
  const dist = distances(m, swap)
  let best: number[] = []
  let bestCost = Infinity
  // When the group centres already fill k there is nothing random to restart.
  const runs = start.length >= k ? 1 : restarts
  for (let r = 0; r < runs; r++) {
    const counts = groupCount?.slice()
    const medoids = seedMedoids(n, k, start, dist, rng)
    if (groupOf && counts) for (const c of medoids) counts[groupOf[c] as number]!++
    voronoi(n, medoids, dist, maxVoronoiIterations, groupOf, counts)
    if (swap) swapRefine(n, medoids, dist, maxSwapRounds, groupOf, counts)
    let cost = 0
    for (let i = 0; i < n; i++) {
      let d = Infinity
      for (const c of medoids) d = Math.min(d, c === i ? 0 : dist(i, c))
      cost += d
    }
    // Strictly lower only, so equal-cost restarts keep the first and the result depends on the seed alone.
    if (cost < bestCost) {
      bestCost = cost
      best = medoids
    }
  }
  return best.sort((a, b) => a - b)
}
