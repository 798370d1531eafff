import { describe, expect, it } from 'vitest'
import type { RunRecord } from './run'
import { runSummary } from './run-summary'

function trainingRun(evaluation: Record<string, unknown>): RunRecord {
  return {
    id: 1, kind: 'training', status: 'done', datasetId: 1, seed: 0,
    config: { dataset: 'sample', planId: 3, model: { kind: 'unet2d' }, steps: 5 },
    result: { backend: 'wasm', timings: { msPerStep: 500 }, evaluation },
    error: null, createdAt: '2025-01-02T03:04:05.000Z', startedAt: null, finishedAt: null, pid: null, host: null,
  }
}

describe('runSummary', () => {
  it('names the split the Dice was measured on: validation for sweep trials, test otherwise', () => {
    expect(runSummary(trainingRun({ split: 'validation', meanDice: 0.5 }))).toBe('unet2d plan 3, 5 steps; validation Dice 0.500 (wasm, 500 ms/step)')
    expect(runSummary(trainingRun({ split: 'test', meanDice: 0.5 }))).toBe('unet2d plan 3, 5 steps; test Dice 0.500 (wasm, 500 ms/step)')
  })
})
