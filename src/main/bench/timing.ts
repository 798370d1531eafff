import { performance } from 'node:perf_hooks'

/** The median of some timings (the upper middle for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN
}

/** Median ms of `runs` calls of fn after one untimed warm-up call. */
export function timeMedian(fn: () => void, runs: number): number {
  fn()
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    const t = performance.now()
    fn()
    times.push(performance.now() - t)
  }
  return median(times)
}
