/**
 * Learning-rate schedules. Step t is 0-based; T = totalSteps. An optional linear warm-up runs first: for
 * t < W = warmupSteps the rate is lr·(t + 1)/W. The schedule proper then runs on its own clock, t' = t − W over
 * T' = T − W steps, so poly still ends near 0 and cosine near minLr at the last step whatever the warm-up:
 *   constant: lr
 *   poly:     lr·(1 − t'/T')^power
 *   step:     lr·γ^⌊t'/every⌋
 *   cosine:   minLr + (lr − minLr)·(1 + cos(π·t'/T'))/2
 * Steps past the end are held at t' = T' (poly 0, cosine minLr).
 */
import type { ScheduleConfig } from '../../../../shared/training'

/** The learning rate of 0-based step `step` of a run of `totalSteps` steps. */
export function learningRateAt(schedule: ScheduleConfig, baseLr: number, step: number, totalSteps: number): number {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a non-negative integer, got ${step}`)
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new RangeError(`totalSteps must be a positive integer, got ${totalSteps}`)
  const warmup = schedule.warmupSteps
  if (step < warmup) return (baseLr * (step + 1)) / warmup
  const span = Math.max(totalSteps - warmup, 1)
  const t = Math.min(step - warmup, span)
  switch (schedule.kind) {
    case 'constant':
      return baseLr
    case 'poly':
      return baseLr * Math.pow(1 - t / span, schedule.power)
    case 'step':
      return baseLr * Math.pow(schedule.gamma, Math.floor(t / schedule.every))
    case 'cosine':
      return schedule.minLr + ((baseLr - schedule.minLr) * (1 + Math.cos((Math.PI * t) / span))) / 2
  }
}
