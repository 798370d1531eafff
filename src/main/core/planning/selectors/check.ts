/** Throws a RangeError unless n is a positive integer and 1 ≤ k ≤ n (every selector needs this). */
export function checkSelectionSize(n: number, k: number, what = 'slices'): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`the number of ${what} must be a positive integer, got ${n}`)
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`cannot select ${k} of ${n} ${what}: k must be an integer in 1..${n}`)
}

/** 0, 1, …, n − 1. */
export function allIndices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
