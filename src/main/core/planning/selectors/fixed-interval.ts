import { checkSelectionSize } from './check'

/**
 * Fixed-interval selection: k slices evenly spread over n, one per interval of n/k slices.
 *
 * Slice i is floor((i + offset) · n / k), so offset 0 takes the first slice of each interval and 0.5 the
 * middle one (centred: the top and bottom of the volume are treated alike). Because the step n/k is at least 1
 * the floors are distinct and, with offset < 1, all below n; consecutive gaps are floor(n/k) or ceil(n/k).
 * Needs no randomness: the paper's "fixed" baseline is a pure function of n, k and the offset.
 */
export function selectFixedInterval(n: number, k: number, offset = 0.5): number[] {
  checkSelectionSize(n, k)
  if (!(offset >= 0 && offset < 1)) throw new RangeError(`the fixed-interval offset must be in [0, 1), got ${offset}`)
  const out = new Array<number>(k)
  for (let i = 0; i < k; i++) out[i] = Math.floor(((i + offset) * n) / k)
  return out
}
