/**
 * Did the dense baseline finish learning? Read from the dense runs' own validation curves: a run plateaued
 * when its validation Dice rose by less than 0.01 over the last fifth of its steps (from the last point at or
 * before that fifth began to the curve's end). A sweep whose dense baseline had not plateaued is under-trained,
 * and its report says so at the top: its comparisons are between models that were still improving.
 */
import type { DenseRun } from '../../../shared/report-data'
import type { ValidationPoint } from '../../../shared/training'

/** The rise below which a run counts as having plateaued. */
export const PLATEAU_RISE = 0.01

export type Plateau =
  | { status: 'plateaued' | 'rising'; rise: number; from: ValidationPoint; to: ValidationPoint }
  | { status: 'unknown'; reason: string }

/** The plateau check of one run's validation curve over its `steps`. */
export function plateauOf(curve: readonly ValidationPoint[] | null, steps: number): Plateau {
  if (!curve || curve.length === 0) return { status: 'unknown', reason: 'no validation curve (valEvery was 0)' }
  const lastFifthStarts = steps - Math.floor(steps / 5)
  const from = [...curve].reverse().find((p) => p.step <= lastFifthStarts)
  const to = curve.at(-1) as ValidationPoint
  if (!from || from === to) return { status: 'unknown', reason: `its validation curve has no point before the last fifth of its ${steps} steps` }
  const rise = to.dice - from.dice
  return { status: rise < PLATEAU_RISE ? 'plateaued' : 'rising', rise, from, to }
}

export interface BaselineStatement {
  /** One line for the report's head. */
  line: string
  /** True when some dense run was still rising: the report warns at the top. */
  underTrained: boolean
}

const f3 = (x: number): string => x.toFixed(3)
const describeRun = (r: DenseRun, p: Extract<Plateau, { rise: number }>): string =>
  `${r.model} seed ${r.seed}: ${f3(p.from.dice)} at step ${p.from.step} → ${f3(p.to.dice)} at step ${p.to.step}, ${p.rise >= 0 ? '+' : '−'}${f3(Math.abs(p.rise))}`

/** Whether the dense baseline plateaued, over all its runs. */
export function baselineStatement(runs: readonly DenseRun[]): BaselineStatement {
  if (runs.length === 0) return { line: 'Whether training reached a plateau is unknown: no dense baseline run is done.', underTrained: false }
  const checked = runs.map((r) => ({ run: r, plateau: plateauOf(r.curve, r.steps) }))
  const rising = checked.flatMap((c) => (c.plateau.status === 'rising' ? [{ run: c.run, plateau: c.plateau }] : []))
  const flat = checked.flatMap((c) => (c.plateau.status === 'plateaued' ? [{ run: c.run, plateau: c.plateau }] : []))
  const unknown = checked.length - rising.length - flat.length
  const rule = `validation Dice rose by ${PLATEAU_RISE} or more over the last fifth of the steps`
  if (rising.length > 0) {
    return {
      line:
        `Under-trained: the dense baseline had not plateaued — its ${rule} in ${rising.length} of ${runs.length} dense runs ` +
        `(${rising.map((c) => describeRun(c.run, c.plateau)).join('; ')}). The scores are of models still improving; more steps may change every comparison below.`,
      underTrained: true,
    }
  }
  if (flat.length === 0) {
    const reason = checked[0]?.plateau.status === 'unknown' ? checked[0].plateau.reason : ''
    return { line: `Whether the dense baseline plateaued is unknown: ${reason} in its runs; set valEvery in the sweep's train config to record one.`, underTrained: false }
  }
  const largest = flat.reduce((a, b) => (b.plateau.rise > a.plateau.rise ? b : a))
  return {
    line:
      `The dense baseline plateaued: validation Dice rose by less than ${PLATEAU_RISE} over the last fifth of the steps in ${flat.length} of ${runs.length} dense runs ` +
      `(the largest rise: ${describeRun(largest.run, largest.plateau)})${unknown ? `; ${unknown} run${unknown === 1 ? '' : 's'} recorded no usable validation curve` : ''}.`,
    underTrained: false,
  }
}
