import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../shared/run'
import { finishedInterpolation, interpolationSince, miModeText } from './mi-interpolation'

const run = (id: number, status: RunRecord['status'], planId: number, method: string, kind = 'interpolation'): RunRecord => ({
  id, kind, status, datasetId: 1, seed: null, config: { planId, method }, result: null, error: null,
  createdAt: '2026-01-01T00:00:00Z', startedAt: null, finishedAt: null, pid: null, host: null,
})

describe('M.I. interpolation lookup', () => {
  it('says M.I. in words', () => {
    expect(miModeText('sdf')).toBe('train on interpolated masks (M.I.), sdf')
  })

  it('finds the newest finished interpolation of the plan with the method, as the training uses it', () => {
    const runs = [run(1, 'done', 4, 'sdf'), run(2, 'failed', 4, 'sdf'), run(3, 'done', 4, 'sdf'), run(5, 'done', 4, 'nearest'), run(6, 'done', 9, 'sdf'), run(7, 'done', 4, 'sdf', 'training')]
    expect(finishedInterpolation(runs, 4, 'sdf')?.id).toBe(3)
    expect(finishedInterpolation(runs, 4, 'propagate')).toBeUndefined()
  })

  it('finds the interpolation a training started after a given run id, running or not', () => {
    const runs = [run(3, 'done', 4, 'sdf'), run(8, 'running', 4, 'sdf')]
    expect(interpolationSince(runs, 4, 'sdf', 7)?.id).toBe(8)
    expect(interpolationSince(runs, 4, 'sdf', 8)).toBeUndefined()
  })
})
