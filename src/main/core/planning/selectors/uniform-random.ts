import type { Rng } from '../../random/rng'
import { checkSelectionSize } from './check'

/**
 * k distinct slices of n drawn uniformly without replacement, sorted ascending.
 * A partial Fisher–Yates shuffle: k draws from the injected rng, so the same seed gives the same slices.
 */
export function selectUniformRandom(n: number, k: number, rng: Rng): number[] {
  checkSelectionSize(n, k)
  const pool = new Int32Array(n)
  for (let i = 0; i < n; i++) pool[i] = i
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i)
    const t = pool[i] as number
    pool[i] = pool[j] as number
    pool[j] = t
  }
  return Array.from(pool.subarray(0, k)).sort((a, b) => a - b)
}
