/**
 * The bookkeeping of periodic validation and early stopping, apart from any tensor: when a validation is due,
 * whether a new score is the best so far, and when `patience` evaluations in a row without a higher Dice end
 * the run. The trainer evaluates and saves; this decides.
 */
import type { ValidationPoint } from '../../../shared/training'

export interface ValidationVerdict {
  /** A higher Dice than every earlier evaluation (the first evaluation always is). */
  improved: boolean
  /** Early stopping is on and `patience` evaluations in a row have not improved: end the run now. */
  stop: boolean
}

export interface ValidationMonitor {
  /** True after `done` steps of `steps` when the run validates: every `every` steps, and at the last step. */
  isDue(done: number, steps: number): boolean
  /** Records one evaluation and says what to do. */
  observe(point: ValidationPoint): ValidationVerdict
  /** The evaluations so far, in order. */
  readonly curve: readonly ValidationPoint[]
  /** The best evaluation so far (null before the first). */
  readonly best: ValidationPoint | null
}

/** A monitor for `every` > 0; `patience` 0 records without ever stopping. */
export function createValidationMonitor({ every, patience }: { every: number; patience: number }): ValidationMonitor {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`validation interval must be a positive integer, got ${every}`)
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`patience must be a non-negative integer, got ${patience}`)
  const curve: ValidationPoint[] = []
  let best: ValidationPoint | null = null
  let sinceBest = 0
  return {
    isDue: (done, steps) => done % every === 0 || done === steps,
    observe(point) {
      curve.push(point)
      const improved = best === null || point.dice > best.dice
      if (improved) {
        best = point
        sinceBest = 0
      } else {
        sinceBest++
      }
      return { improved, stop: patience > 0 && sinceBest >= patience }
    },
    curve,
    get best() {
      return best
    },
  }
}
