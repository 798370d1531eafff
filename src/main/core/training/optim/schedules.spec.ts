// Schedules against values worked out by hand from the formulas in schedules.ts.
import { describe, expect, it } from 'vitest'
import { ScheduleConfigSchema, type ScheduleConfig } from '../../../../shared/training'
import { learningRateAt } from './schedules'

const schedule = (s: Partial<ScheduleConfig>): ScheduleConfig => ScheduleConfigSchema.parse(s)

describe('learningRateAt', () => {
  it('constant', () => {
    expect([0, 5, 99, 150].map((t) => learningRateAt(schedule({ kind: 'constant' }), 0.01, t, 100))).toEqual([0.01, 0.01, 0.01, 0.01])
  })

  it('poly: lr·(1 − t/T)^power', () => {
    const s = schedule({ kind: 'poly', power: 2 })
    expect(learningRateAt(s, 1, 0, 10)).toBe(1)
    expect(learningRateAt(s, 1, 5, 10)).toBeCloseTo(0.25, 15)
    expect(learningRateAt(s, 1, 9, 10)).toBeCloseTo(0.01, 15)
    expect(learningRateAt(s, 1, 10, 10)).toBe(0)
    expect(learningRateAt(s, 1, 20, 10)).toBe(0)
    // power 0.9: (1 − 1/4)^0.9 = exp(0.9·ln 0.75) = exp(0.9·(−0.2876821)) = exp(−0.2589139) ≈ 0.7718895.
    expect(learningRateAt(schedule({ kind: 'poly' }), 2, 1, 4)).toBeCloseTo(2 * 0.7718895, 6)
  })

  it('step: lr·γ^⌊t/every⌋', () => {
    const s = schedule({ kind: 'step', every: 3, gamma: 0.1 })
    const values = [0, 2, 3, 5, 6, 9].map((t) => learningRateAt(s, 1, t, 100))
    ;[1, 1, 0.1, 0.1, 0.01, 0.001].forEach((x, i) => expect(values[i]).toBeCloseTo(x, 15))
  })

  it('cosine: minLr + (lr − minLr)(1 + cos πt/T)/2', () => {
    const s = schedule({ kind: 'cosine', minLr: 0.1 })
    expect(learningRateAt(s, 1.1, 0, 8)).toBeCloseTo(1.1, 15)
    expect(learningRateAt(s, 1.1, 4, 8)).toBeCloseTo(0.6, 15) // cos π/2 = 0
    expect(learningRateAt(s, 1.1, 2, 8)).toBeCloseTo(0.1 + (1 + Math.SQRT1_2) / 2, 15) // cos π/4
    expect(learningRateAt(s, 1.1, 8, 8)).toBeCloseTo(0.1, 15)
  })

  it('linear warm-up, then the schedule on its own clock', () => {
    const s = schedule({ kind: 'cosine', warmupSteps: 4 })
    expect([0, 1, 2, 3].map((t) => learningRateAt(s, 1, t, 12))).toEqual([0.25, 0.5, 0.75, 1])
    // After warm-up: t' = t − 4 over T' = 8.
    expect(learningRateAt(s, 1, 4, 12)).toBeCloseTo(1, 15)
    expect(learningRateAt(s, 1, 8, 12)).toBeCloseTo(0.5, 15)
    expect(learningRateAt(schedule({ kind: 'step', warmupSteps: 2, every: 2, gamma: 0.5 }), 1, 4, 12)).toBe(0.5)
    expect(learningRateAt(schedule({ kind: 'poly', power: 1, warmupSteps: 2 }), 1, 7, 12)).toBeCloseTo(0.5, 15)
    // A warm-up as long as the run: every step is warm-up.
    expect(learningRateAt(schedule({ kind: 'constant', warmupSteps: 10 }), 1, 9, 10)).toBe(1)
  })

  it('rejects negative or fractional steps and empty runs', () => {
    expect(() => learningRateAt(schedule({}), 1, -1, 10)).toThrow(RangeError)
    expect(() => learningRateAt(schedule({}), 1, 0.5, 10)).toThrow(RangeError)
    expect(() => learningRateAt(schedule({}), 1, 0, 0)).toThrow(RangeError)
  })
})
