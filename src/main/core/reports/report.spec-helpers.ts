// Hand-built sweep results for the report specs: a sweep record, trial points and the data the figures read.
import { SweepDefinitionSchema, type SweepRecord, type TrialRecord } from '../../../shared/sweep'
import type { SweepData, TrialPoint } from '../../../shared/report-data'

/** A one-model sweep of 1000 training slices (its grid matters only to the head). */
export const handSweep: SweepRecord = {
  id: 1,
  uid: 'u',
  datasetId: 1,
  dataset: 'd',
  definition: SweepDefinitionSchema.parse({ grid: { densities: [0.1], volumeFractions: [1], models: [{ name: 'm', model: {} }] } }),
  trainSlices: 1000,
  cancelled: false,
  createdAt: '',
}

let id = 0
/** A done trial of model 'm', method 'fixed', seed 0 unless given; budget ρ·s. */
export function point(p: Partial<TrialPoint> & { density: number; volumeFraction: number; meanIou: number }): TrialPoint {
  return {
    trialId: ++id,
    model: 'm',
    method: 'fixed',
    interpolation: 'none',
    seed: 0,
    dense: false,
    budgetFraction: p.density * p.volumeFraction,
    nominalBudget: Number((p.density * p.volumeFraction).toPrecision(6)),
    meanDice: 0,
    msPerStep: 1,
    trainMs: 1,
    ...p,
  }
}

/** The figures' input: these points on the test split, nothing else unless overridden. */
export const handData = (points: TrialPoint[], over: Partial<SweepData> = {}): SweepData => ({ sweep: handSweep, trials: [], points, interpolation: [], split: 'test', denseRuns: [], ...over })

/** A done dense trial of model 'u' with this seed and test Dice over `volumes` test volumes; times as given. */
export function denseTrial(seed: number, dice: number, over: { volumes?: number; startedAt?: string; finishedAt?: string } = {}): TrialRecord {
  return {
    id: seed + 1, sweepId: 1, ordinal: seed, key: `u|dense|seed=${seed}`, planId: null, budget: 100, status: 'done', runId: null, backend: 'cpu', error: null, attempts: 1,
    createdAt: '', startedAt: over.startedAt ?? null, finishedAt: over.finishedAt ?? null,
    spec: { model: 'u', density: 1, volumeFraction: 1, method: 'dense', interpolation: 'none', seed, dense: true },
    metrics: {
      meanIou: dice - 0.1, meanDice: dice, volumes: Array.from({ length: over.volumes ?? 4 }, (_, i) => ({ caseId: `c${i}`, iou: 0, dice: 0 })),
      trainVolumes: 10, annotatedSlices: 100, steps: 300, msPerStep: 1, trainMs: 1,
    },
  }
}
