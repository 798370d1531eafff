// The Sweeps view's pure parts: the pasted grid read in plain words, the progress line (trial i of N, ETA) and
// the per-trial rows. No Vue here, so it can be tested.
import type { SweepCounts, SweepProgress, TrialRecord } from '../../../shared/sweep'
import { formatDuration } from '../../format'

/** A pasted sweep definition or bare grid: the parsed object, or what is wrong with the text. */
export function parseGridText(text: string): { ok: true; definition: Record<string, unknown> } | { ok: false; problem: string } {
  if (text.trim() === '') return { ok: false, problem: 'paste a grid as JSON (see the example)' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { ok: false, problem: `the grid is not JSON: ${(e as Error).message}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'the grid must be a JSON object' }
  return { ok: true, definition: value as Record<string, unknown> }
}

/** The example a new grid starts from: one tiny cell, quick enough to try the workbench with. */
export const exampleGrid = {
  grid: {
    densities: [0.2],
    volumeFractions: [0.5],
    methods: ['fixed'],
    interpolation: ['none'],
    models: [{ name: 'tiny2d', model: { kind: 'unet2d', depth: 1, baseChannels: 4 } }],
    seeds: [0],
  },
  train: { steps: 3, batchSize: 2, evaluateOn: 'validation' },
}

/** The fraction of the sweep finished, counting the steps of the trials in flight. */
export function sweepFraction(p: SweepProgress): number {
  if (p.counts.total === 0) return 0
  const partial = p.running.reduce((a, r) => a + (r.steps > 0 ? Math.min(1, r.step / r.steps) : 0), 0)
  return Math.min(1, (p.finished + partial) / p.counts.total)
}

/** "trial 3 of 9 · 2 failed · ETA 4 min": the trial i is the first one not finished. */
export function describeSweepProgress(p: SweepProgress): string {
  const total = p.counts.total
  const current = Math.min(total, p.finished + (p.running.length > 0 ? 1 : 0))
  const parts = [p.running.length > 0 ? `trial ${current} of ${total}` : `${p.finished} of ${total} trials finished`]
  if (p.counts.failed > 0) parts.push(`${p.counts.failed} failed`)
  // Before its first training step a trial knows no step count: it is starting (planning, loading), not at 0 / 0.
  for (const r of p.running) parts.push(r.steps > 0 ? `#${r.trialId} step ${r.step} / ${r.steps}` : `#${r.trialId} starting`)
  if (p.etaSeconds !== null) parts.push(`ETA ${formatDuration(p.etaSeconds * 1000)}`)
  return parts.join(' · ')
}

export interface TrialRow {
  id: number
  ordinal: number
  label: string
  status: TrialRecord['status']
  attempts: number
  budget: number
  backend: string
  iou: string
  dice: string
  seconds: string
  error: string
}

/** "tiny2d · ρ 0.2 · s 0.5 · fixed · seed 0", or "… · dense" for a baseline. */
export function trialLabel(t: TrialRecord): string {
  const s = t.spec
  if (s.dense) return `${s.model} · dense baseline · seed ${s.seed}`
  return `${s.model} · ρ ${s.density} · s ${s.volumeFraction} · ${s.method}${s.interpolation === 'none' ? '' : ` · M.I. ${s.interpolation}`} · seed ${s.seed}`
}

/** One row of the trial table. */
export function trialRow(t: TrialRecord): TrialRow {
  const seconds = t.startedAt && t.finishedAt ? (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000 : null
  return {
    id: t.id,
    ordinal: t.ordinal,
    label: trialLabel(t),
    status: t.status,
    attempts: t.attempts,
    budget: t.budget,
    backend: t.backend ?? '–',
    iou: t.metrics ? t.metrics.meanIou.toFixed(3) : '–',
    dice: t.metrics ? t.metrics.meanDice.toFixed(3) : '–',
    seconds: seconds === null || Number.isNaN(seconds) ? '–' : seconds.toFixed(1),
    error: t.error ?? '',
  }
}

/**
 * What the run button of a sweep says: "Run" for a sweep none of whose trials has started, "Resume" for a paused
 * one (some trials finished or stopped, some left); undefined when nothing is left to run or it runs now.
 */
export function runAction(counts: SweepCounts, trials: readonly Pick<TrialRecord, 'attempts'>[], active: boolean): 'Run' | 'Resume' | undefined {
  if (active || counts.queued + counts.running + counts.cancelled === 0) return undefined
  const started = counts.done + counts.failed + counts.cancelled + counts.running > 0 || trials.some((t) => t.attempts > 0)
  return started ? 'Resume' : 'Run'
}
