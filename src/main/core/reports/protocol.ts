/**
 * The protocol a sweep's trials were trained and scored under, in one line for the report's head: models,
 * steps, batch, input size, optimiser, loss, augmentation, seeds, the split the scores come from and whether
 * early stopping was on — read from the sweep's train config with every default filled in.
 */
import { describeModelConfig } from '../../../shared/model-catalogue'
import { isModel2d, TrainConfigSchema, type TrainConfig } from '../../../shared/training'
import type { SweepData } from '../../../shared/report-data'

/** The shared train config with its defaults, or null when it no longer parses (the head prints it raw). */
export function resolvedTrainConfig(data: SweepData): TrainConfig | null {
  const parsed = TrainConfigSchema.safeParse({ ...data.sweep.definition.train, datasetId: data.sweep.datasetId })
  return parsed.success ? parsed.data : null
}

/** Volumes of the evaluation split and of the dense training set, as the done trials report them. */
function volumeCounts(data: SweepData): { evaluated: number | null; training: number | null } {
  const done = data.trials.filter((t) => t.status === 'done' && t.metrics)
  const evaluated = done[0]?.metrics?.volumes.length ?? null
  const training = done.find((t) => t.spec.dense)?.metrics?.trainVolumes ?? null
  return { evaluated, training }
}

/** The protocol line. */
export function describeProtocol(data: SweepData): string {
  const c = resolvedTrainConfig(data)
  const g = data.sweep.definition.grid
  const counts = volumeCounts(data)
  const scored = `scored on the ${data.split} split${counts.evaluated === null ? '' : ` (${counts.evaluated} volumes)`}`
  if (!c) return `Protocol: train config ${JSON.stringify(data.sweep.definition.train)}; seeds ${g.seeds.join(', ')}; ${scored}.`
  const models = g.models.map((m) => `${m.name} (${describeModelConfig(m.model)})`).join(', ')
  const all2d = g.models.every((m) => isModel2d(m.model.kind))
  const all3d = g.models.every((m) => !isModel2d(m.model.kind))
  const input = [all3d ? '' : `${c.sliceSize.join('×')} slices`, all2d ? '' : `${c.patchSize.join('×')} patches`].filter(Boolean).join(' / ')
  const augment = Object.entries(c.augment)
    .filter(([k, v]) => k !== 'probability' && k !== 'elasticSigma' && v !== 0 && v !== false)
    .map(([k]) => k)
  const stopping =
    c.patience > 0
      ? `early stopping on (validation Dice every ${c.valEvery} steps, patience ${c.patience}, the best-on-validation weights scored)`
      : `fixed iterations, no early stopping${c.valEvery > 0 ? ` (validation Dice recorded every ${c.valEvery} steps)` : ''}`
  return (
    `Protocol: ${models}; ${c.steps} steps at batch ${c.batchSize} on ${input}; ${c.optimizer.kind} lr ${c.optimizer.lr} (${c.schedule.kind} schedule), ${c.loss.kind} loss, ` +
    `augmentation ${augment.length ? augment.join(', ') : 'none'}; ${stopping}; seeds ${g.seeds.join(', ')} (plans and training); ` +
    `plans drawn from the training split${counts.training === null ? '' : ` (${counts.training} volumes)`}, ${scored}.`
  )
}
