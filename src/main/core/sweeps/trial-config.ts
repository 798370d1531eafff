import type { SweepDefinition, TrialMetrics, TrialSpec } from '../../../shared/sweep'
import type { TrainConfigInput, TrainResult } from '../../../shared/training'

/** The train config of one trial: the sweep's shared config with the trial's plan, masks, model and seed. */
export function trialConfig(definition: SweepDefinition, datasetId: number, spec: TrialSpec, planId: number | null, threads?: number): TrainConfigInput {
  const model = definition.grid.models.find((m) => m.name === spec.model)
  if (!model) throw new Error(`trial model "${spec.model}" is not in the sweep's grid`)
  return {
    ...definition.train,
    ...(threads !== undefined && !definition.train.threads ? { threads } : {}),
    datasetId,
    planId,
    interpolated: spec.interpolation === 'none' ? null : spec.interpolation,
    model: model.model,
    seed: spec.seed,
  } as TrainConfigInput
}

/** What a trial keeps of its run's result for the reports; an Error when the run was not evaluated. */
export function trialMetrics(result: TrainResult): TrialMetrics {
  const e = result.evaluation
  if (!e) throw new Error('the run was not evaluated; a sweep trial needs its test scores')
  return {
    meanIou: e.meanIou,
    meanDice: e.meanDice,
    volumes: e.volumes.map((v) => ({ caseId: v.caseId, iou: v.iou, dice: v.dice })),
    trainVolumes: result.trainVolumes,
    annotatedSlices: result.annotatedSlices,
    steps: result.steps,
    msPerStep: result.timings.msPerStep,
    trainMs: result.timings.trainMs,
  }
}
