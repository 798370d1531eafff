import { studentTQuantile } from './distributions'

/** Mean, sample standard deviation and a 95 % confidence interval of the mean (Student's t) over repeats. */
export interface Summary {
  n: number
  mean: number
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number
  /** 95 % CI of the mean; equal to the mean when n = 1 (no spread to estimate). */
  ciLow: number
  ciHigh: number
}

/** Summarises values (seeds of one cell); NaN for an empty list. */
export function summarise(values: readonly number[]): Summary {
  const n = values.length
  if (n === 0) return { n, mean: NaN, std: NaN, ciLow: NaN, ciHigh: NaN }
  const mean = values.reduce((a, b) => a + b, 0) / n
  if (n === 1) return { n, mean, std: 0, ciLow: mean, ciHigh: mean }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)
  const std = Math.sqrt(variance)
  const half = studentTQuantile(0.975, n - 1) * (std / Math.sqrt(n))
  return { n, mean, std, ciLow: mean - half, ciHigh: mean + half }
}
