/** The data every report is computed from: a sweep's done trials and its plans' interpolation runs. */
import type { DenseRun, InterpolationPoint, SweepData, TrialPoint } from '../../../shared/report-data'
import type { SweepRecord } from '../../../shared/sweep'
import { ValidationRecordSchema } from '../../../shared/training'
import { requireSweep } from '../sweeps/control'
import type { Db } from '../store/database'
import { getRun, listRuns } from '../store/runs-repo'
import { listTrials } from '../store/sweeps-repo'

/** The split a sweep's trials are scored on: its train config's evaluateOn (test unless it says validation). */
export function sweepSplit(sweep: SweepRecord): 'test' | 'validation' {
  return sweep.definition.train.evaluateOn === 'validation' ? 'validation' : 'test'
}

/** The validation curve a trial's run recorded, or null. */
function validationCurve(db: Db, runId: number | null): DenseRun['curve'] {
  const result = runId === null ? null : getRun(db, runId)?.result
  const parsed = ValidationRecordSchema.safeParse(result?.validation)
  return parsed.success ? parsed.data.curve : null
}

/** Loads a sweep's results from the store (an InputError when the sweep does not exist). */
export function loadSweepData(db: Db, sweepId: number): SweepData {
  const sweep = requireSweep(db, sweepId)
  const trials = listTrials(db, sweepId)
  const points: TrialPoint[] = trials.flatMap((t) =>
    t.status === 'done' && t.metrics
      ? [
          {
            trialId: t.id,
            model: t.spec.model,
            density: t.spec.density,
            volumeFraction: t.spec.volumeFraction,
            method: t.spec.method,
            interpolation: t.spec.interpolation,
            seed: t.spec.seed,
            dense: t.spec.dense,
            budgetFraction: t.budget / sweep.trainSlices,
            nominalBudget: Number((t.spec.density * t.spec.volumeFraction).toPrecision(6)),
            meanIou: t.metrics.meanIou,
            meanDice: t.metrics.meanDice,
            msPerStep: t.metrics.msPerStep,
            trainMs: t.metrics.trainMs,
          },
        ]
      : [],
  )
  const plans = new Map(trials.filter((t) => t.planId !== null && !t.spec.dense).map((t) => [t.planId as number, t.spec]))
  const interpolation: InterpolationPoint[] = []
  for (const run of listRuns(db, { kind: 'interpolation' })) {
    const planId = run.config.planId
    const spec = typeof planId === 'number' ? plans.get(planId) : undefined
    if (!spec || run.status !== 'done' || !run.result) continue
    const { meanIoU, meanDice } = run.result as { meanIoU?: unknown; meanDice?: unknown }
    if (typeof meanIoU !== 'number' || typeof meanDice !== 'number') continue
    interpolation.push({ planId: planId as number, method: String(run.config.method), density: spec.density, volumeFraction: spec.volumeFraction, seed: spec.seed, meanIou: meanIoU, meanDice })
  }
  const denseRuns: DenseRun[] = trials.flatMap((t) =>
    t.status === 'done' && t.metrics && t.spec.dense ? [{ model: t.spec.model, seed: t.spec.seed, steps: t.metrics.steps, curve: validationCurve(db, t.runId) }] : [],
  )
  return { sweep, trials, points, interpolation, split: sweepSplit(sweep), denseRuns }
}
