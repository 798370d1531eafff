import type { Subset, SplitFractions } from '../../../shared/dataset'
import { createRng } from '../random/rng'

/** How many volumes go to each subset: val and test are rounded, train takes the rest (at least one). */
export function splitCounts(n: number, fractions: SplitFractions): Record<Subset, number> {
  if (n <= 0) return { train: 0, val: 0, test: 0 }
  let val = Math.round(n * fractions.val)
  let test = Math.round(n * fractions.test)
  // Training needs at least one volume whenever any was asked for; take it from the larger held-out set.
  while (fractions.train > 0 && n - val - test < 1 && val + test > 0) {
    if (test >= val) test -= 1
    else val -= 1
  }
  return { train: n - val - test, val, test }
}

/**
 * A seeded split of `caseIds`: the ids are sorted first, so the split depends only on the set of cases
 * and the seed, not on the order the files were listed in.
 */
export function seededSplit(caseIds: readonly string[], fractions: SplitFractions, seed: number): Map<string, Subset> {
  const sorted = [...caseIds].sort()
  const order = createRng(seed).shuffle(sorted)
  const counts = splitCounts(sorted.length, fractions)
  const out = new Map<string, Subset>()
  order.forEach((id, i) => {
    out.set(id, i < counts.test ? 'test' : i < counts.test + counts.val ? 'val' : 'train')
  })
  return out
}
