import type { SubsetMode } from '../../../shared/plan'
import { deriveRng } from '../random/rng'
import { volumeCount } from './budget'

/**
 * The order in which training volumes join a nested subset: a seeded shuffle of the case ids (sorted
 * first, so it depends on the set of cases and the seed only). The subset for s is a prefix of it, which
 * makes the 1/8 subset lie inside the 1/4 subset inside the 1/2 …
 */
export function subsetOrder(caseIds: readonly string[], seed: number): string[] {
  return deriveRng(seed, 'volume-subset').shuffle([...caseIds].sort())
}

/**
 * The case ids selected for volume count s, sorted. Nested (default): a prefix of subsetOrder.
 * Independent: a fresh seeded draw for each s.
 */
export function selectVolumeSubset(caseIds: readonly string[], volumeFraction: number, seed: number, mode: SubsetMode = 'nested'): string[] {
  const m = volumeCount(caseIds.length, volumeFraction)
  const order =
    mode === 'nested' ? subsetOrder(caseIds, seed) : deriveRng(seed, 'volume-subset', volumeFraction).shuffle([...caseIds].sort())
  return order.slice(0, m).sort()
}
