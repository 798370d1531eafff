// Shared by the selector specs: seeded synthetic feature matrices and brute-force optima for tiny cases.
import type { Rng } from '../../random/rng'
import type { FeatureMatrix } from '../features/feature-matrix'

/** A standard normal draw (Box–Muller) from a seeded rng. */
export function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
}

/** n rows of uniform noise in [0, 1)^cols. */
export function uniformMatrix(n: number, cols: number, rng: Rng): FeatureMatrix {
  const data = new Float32Array(n * cols)
  for (let i = 0; i < data.length; i++) data[i] = rng.next()
  return { rows: n, cols, data }
}

/**
 * Rows around `clusters` well-separated centres (centres uniform in a 20-wide cube, points with unit spread),
 * with cluster sizes drawn unevenly so a good selection must weigh dense clusters more.
 */
export function clusteredMatrix(n: number, cols: number, clusters: number, rng: Rng): FeatureMatrix {
  const centres = Array.from({ length: clusters }, () => Array.from({ length: cols }, () => 20 * rng.next()))
  const weights = centres.map(() => 0.2 + rng.next())
  const total = weights.reduce((a, b) => a + b, 0)
  const data = new Float32Array(n * cols)
  for (let i = 0; i < n; i++) {
    let r = rng.next() * total
    let c = 0
    while (c < clusters - 1 && (r -= weights[c] as number) >= 0) c++
    for (let j = 0; j < cols; j++) data[i * cols + j] = (centres[c]![j] as number) + normal(rng)
  }
  return { rows: n, cols, data }
}

/** Every k-subset of 0..n−1 in lexicographic order (tiny n only). */
export function* subsets(n: number, k: number): Generator<number[]> {
  const s = Array.from({ length: k }, (_, i) => i)
  while (true) {
    yield s.slice()
    let i = k - 1
    while (i >= 0 && s[i] === n - k + i) i--
    if (i < 0) return
    s[i]!++
    for (let j = i + 1; j < k; j++) s[j] = (s[j - 1] as number) + 1
  }
}

/** The minimum of a cost over all k-subsets, by enumeration. */
export function bruteForceMin(n: number, k: number, cost: (s: number[]) => number): number {
  let best = Infinity
  for (const s of subsets(n, k)) best = Math.min(best, cost(s))
  return best
}

/** Checks the common output contract: k sorted distinct indices in 0..n−1 (returns a reason or ''). */
export function contractViolation(out: readonly number[], n: number, k: number): string {
  if (out.length !== k) return `expected ${k} indices, got ${out.length}`
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as number
    if (!Number.isInteger(v) || v < 0 || v >= n) return `index ${v} out of 0..${n - 1}`
    if (i > 0 && v <= (out[i - 1] as number)) return `not strictly increasing at ${i}: ${out.join(',')}`
  }
  return ''
}
