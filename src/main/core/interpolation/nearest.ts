import type { SliceMasks, SliceStack } from './types'

/**
 * Nearest annotated slice: every slice copies the annotated slice closest to it, also beyond the outermost
 * ones. Ties (a slice halfway between two annotated slices) go to the lower index, so the result does not
 * depend on the order the indices were given in.
 */
export function interpolateNearest(stack: SliceStack): SliceMasks {
  const out: SliceMasks = new Array(stack.n)
  const a = stack.annotated
  let j = 0
  for (let i = 0; i < stack.n; i++) {
    // Advance while the next annotated slice is strictly closer: equal distance keeps the lower one.
    while (j + 1 < a.length && Math.abs((a[j + 1] as number) - i) < Math.abs((a[j] as number) - i)) j++
    out[i] = stack.mask(a[j] as number)
  }
  stack.tick(stack.n)
  return out
}
