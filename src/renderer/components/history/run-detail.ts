// What the History view shows when a row is opened: a run's facts in words (kind, status, local times and
// duration, backend and adapter, checkpoint), its curves and its per-volume test scores. No Vue here.
import { describeInitFrom } from '../../../shared/init-from'
import type { RunRecord } from '../../../shared/run'
import type { VolumeScore } from '../../../shared/training'
import { formatDuration, formatLocalTime, millisBetween } from '../../format'
import { backendLabel, flatten, trainResultOf } from './history-table'

export interface RunFact {
  key: string
  value: string
}

/** The run's facts, one line each, in the order a reader asks for them. */
export function runFacts(run: RunRecord): RunFact[] {
  const facts: RunFact[] = [
    { key: 'kind', value: run.kind },
    { key: 'status', value: run.status },
    { key: 'created', value: formatLocalTime(run.createdAt) },
    { key: 'started', value: formatLocalTime(run.startedAt) },
    { key: 'finished', value: formatLocalTime(run.finishedAt) },
    { key: 'duration', value: runDurationText(run) },
  ]
  if (run.seed !== null) facts.push({ key: 'seed', value: String(run.seed) })
  const result = trainResultOf(run)
  if (result) {
    facts.push({ key: 'backend', value: backendLabel(result) })
    if (result.backend !== 'webgpu') facts.push({ key: 'threads', value: String(result.threads) })
    facts.push({ key: 'steps', value: String(result.steps) })
    facts.push({ key: 'training time', value: formatDuration(result.timings.trainMs) })
    facts.push({ key: 'checkpoint', value: result.checkpoint || '— (none written)' })
    // What --init-from loaded, kept at init and skipped (the lines the CLI prints).
    if (result.initFrom) for (const line of describeInitFrom(result.initFrom)) facts.push({ key: line.key, value: line.text })
    if (result.evaluation) facts.push({ key: `${result.evaluation.split} Dice / IoU`, value: `${result.evaluation.meanDice.toFixed(3)} / ${result.evaluation.meanIou.toFixed(3)}` })
  }
  if (run.kind === 'interpolation' && run.result) {
    const r = run.result
    if (typeof r.meanIoU === 'number') facts.push({ key: 'mean IoU', value: r.meanIoU.toFixed(3) })
    if (typeof r.outDir === 'string') facts.push({ key: 'masks', value: r.outDir })
  }
  if (run.error) facts.push({ key: 'error', value: run.error.split('\n')[0] ?? '' })
  return facts
}

/** How long a run took (start to finish), "running for …" style only when it has not finished. */
export function runDurationText(run: Pick<RunRecord, 'startedAt' | 'finishedAt' | 'createdAt'>): string {
  const ms = millisBetween(run.startedAt ?? run.createdAt, run.finishedAt)
  return ms === undefined ? '—' : formatDuration(ms)
}

/** The run's config as sorted dotted keys. */
export function configRows(run: RunRecord): RunFact[] {
  return [...flatten(run.config).entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, value }))
}

/** Per-volume test (or validation) scores of a training run, worst Dice first; empty for other runs. */
export function volumeScores(run: RunRecord): VolumeScore[] {
  const evaluation = trainResultOf(run)?.evaluation
  return evaluation ? [...evaluation.volumes].sort((a, b) => a.dice - b.dice || a.caseId.localeCompare(b.caseId)) : []
}
