import { describe, expect, it } from 'vitest'
import type { SweepProgress, TrialRecord } from '../../../shared/sweep'
import { TrainConfigSchema } from '../../../shared/training'
import { describeSweepProgress, exampleGrid, parseGridText, runAction, sweepFraction, trialLabel, trialRow } from './sweep-view'

const progress = (over: Partial<SweepProgress>): SweepProgress => ({
  sweepId: 1,
  counts: { total: 10, queued: 6, running: 1, done: 2, failed: 1, cancelled: 0 },
  finished: 3,
  running: [{ trialId: 7, label: 'k', step: 5, steps: 20 }],
  etaSeconds: 240,
  ...over,
})

describe('the sweep progress line', () => {
  it('names the trial in flight as i of N, the failures, the steps and the ETA', () => {
    expect(describeSweepProgress(progress({}))).toBe('trial 4 of 10 · 1 failed · #7 step 5 / 20 · ETA 4 min 00 s')
    expect(describeSweepProgress(progress({ running: [], etaSeconds: null, counts: { total: 10, queued: 0, running: 0, done: 10, failed: 0, cancelled: 0 }, finished: 10 }))).toBe('10 of 10 trials finished')
  })
  it('says a trial that has not reached its first step is starting, never "step 0 / 0"', () => {
    const line = describeSweepProgress(progress({ running: [{ trialId: 8, label: 'k', step: 0, steps: 0 }] }))
    expect(line).toBe('trial 4 of 10 · 1 failed · #8 starting · ETA 4 min 00 s')
    expect(line).not.toContain('0 / 0')
  })
  it('offers Run for a new sweep, Resume only for a paused one, nothing for a finished or running one', () => {
    const counts = (over: Partial<SweepProgress['counts']>): SweepProgress['counts'] => ({ total: 3, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, ...over })
    const fresh = [{ attempts: 0 }, { attempts: 0 }, { attempts: 0 }]
    expect(runAction(counts({ queued: 3 }), fresh, false)).toBe('Run')
    // Paused when the app closed: its running trial went back to the queue (one attempt made), one is done.
    expect(runAction(counts({ queued: 2, done: 1 }), [{ attempts: 1 }, { attempts: 1 }, { attempts: 0 }], false)).toBe('Resume')
    expect(runAction(counts({ queued: 3 }), [{ attempts: 1 }, { attempts: 0 }, { attempts: 0 }], false)).toBe('Resume')
    expect(runAction(counts({ cancelled: 2, done: 1 }), fresh, false)).toBe('Resume')
    expect(runAction(counts({ done: 3 }), fresh, false)).toBeUndefined()
    expect(runAction(counts({ queued: 2, running: 1 }), fresh, true)).toBeUndefined()
  })
  it('counts the steps of a running trial into the bar: (3 + 5/20) / 10', () => {
    expect(sweepFraction(progress({}))).toBeCloseTo(0.325, 12)
    expect(sweepFraction(progress({ counts: { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 }, finished: 0, running: [] }))).toBe(0)
  })
})

describe('parseGridText', () => {
  it('says in words what is wrong with the pasted text', () => {
    expect(parseGridText('')).toEqual({ ok: false, problem: 'paste a grid as JSON (see the example)' })
    expect(parseGridText('[1]')).toEqual({ ok: false, problem: 'the grid must be a JSON object' })
    const bad = parseGridText('{ densities: }')
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.problem).toMatch(/^the grid is not JSON: /)
    expect(parseGridText('{"densities":[0.2]}')).toEqual({ ok: true, definition: { densities: [0.2] } })
  })
})

describe('trial rows', () => {
  const trial: TrialRecord = {
    id: 3, sweepId: 1, ordinal: 0, key: 'k', planId: 4, budget: 12, status: 'failed', runId: 9, backend: 'wasm', metrics: null,
    error: 'out of memory', attempts: 2, createdAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.500Z',
    spec: { model: 'tiny2d', density: 0.2, volumeFraction: 0.5, method: 'fixed', interpolation: 'propagate', seed: 1, dense: false },
  }
  it('shows the cell, the failure text and the time taken', () => {
    expect(trialRow(trial)).toMatchObject({ label: 'tiny2d · ρ 0.2 · s 0.5 · fixed · M.I. propagate · seed 1', error: 'out of memory', seconds: '2.5', iou: '–', attempts: 2 })
    expect(trialLabel({ ...trial, spec: { ...trial.spec, dense: true, method: 'dense' } })).toBe('tiny2d · dense baseline · seed 1')
  })
})

describe('the example grid a new sweep starts from', () => {
  it('trains without flips (on the bundled hippocampus data a flip swaps the anterior and posterior labels)', () => {
    expect(TrainConfigSchema.parse({ ...exampleGrid.train, datasetId: 1 }).augment.flip).toBe(false)
  })
})
