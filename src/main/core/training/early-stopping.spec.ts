// Periodic validation and early stopping: the monitor's rules on hand-made scores, and trainJob with them on the
// discs task — a validation curve recorded without stopping (the paper presets' setting), and a run that stops
// after `patience` evaluations without a higher Dice and scores the best-on-validation weights, not the last.
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainConfigSchema } from '../../../shared/training'
import { sweepPresets } from '../sweeps/presets'
import { readCheckpoint, loadCheckpointInto } from './checkpoint'
import { createValidationMonitor } from './early-stopping'
import { evaluateVolumes, netPredictor } from './evaluate'
import type { TrainJob } from './job'
import { discsJob } from './learning.spec-helpers'
import { buildModel } from './models/build-model'
import { deriveRng } from '../random/rng'
import { trainJob } from './train'

describe('createValidationMonitor', () => {
  it('is due every n steps and at the last step', () => {
    const m = createValidationMonitor({ every: 4, patience: 0 })
    expect([1, 2, 3, 4, 5, 8, 10].filter((s) => m.isDue(s, 10))).toEqual([4, 8, 10])
  })

  it('stops after `patience` evaluations in a row without a strictly higher Dice; a tie is no improvement', () => {
    const m = createValidationMonitor({ every: 1, patience: 2 })
    const seen = [0.5, 0.6, 0.6, 0.7, 0.65, 0.7].map((dice, i) => m.observe({ step: i + 1, dice, iou: 0 }))
    expect(seen).toEqual([
      { improved: true, stop: false },
      { improved: true, stop: false },
      { improved: false, stop: false },
      { improved: true, stop: false },
      { improved: false, stop: false },
      { improved: false, stop: true },
    ])
    expect(m.best).toEqual({ step: 4, dice: 0.7, iou: 0 })
    expect(m.curve).toHaveLength(6)
  })

  it('with patience 0 records and never stops', () => {
    const m = createValidationMonitor({ every: 1, patience: 0 })
    for (let i = 0; i < 10; i++) expect(m.observe({ step: i + 1, dice: 0.5 - i / 100, iou: 0 }).stop).toBe(false)
    expect(m.best?.step).toBe(1)
  })

  it('refuses an interval below 1 and a negative patience', () => {
    expect(() => createValidationMonitor({ every: 0, patience: 0 })).toThrow(RangeError)
    expect(() => createValidationMonitor({ every: 2, patience: -1 })).toThrow(RangeError)
  })
})

describe('the train config', () => {
  it('keeps early stopping off by default and refuses patience without an interval or with a validation evaluation', () => {
    expect(TrainConfigSchema.parse({ datasetId: 1 })).toMatchObject({ valEvery: 0, patience: 0 })
    expect(TrainConfigSchema.safeParse({ datasetId: 1, patience: 3 }).error?.issues[0]).toMatchObject({ path: ['patience'], message: expect.stringMatching(/--val-every/) })
    expect(TrainConfigSchema.safeParse({ datasetId: 1, patience: 3, valEvery: 10, evaluateOn: 'validation' }).error?.issues[0]?.path).toEqual(['patience'])
    expect(TrainConfigSchema.safeParse({ datasetId: 1, patience: 3, valEvery: 10 }).success).toBe(true)
  })
})

describe('the sweep presets', () => {
  it('train fixed iterations (no early stopping), and the paper designs record validation Dice for the plateau check', () => {
    for (const [name, preset] of Object.entries(sweepPresets)) {
      expect(TrainConfigSchema.parse({ ...preset.train, datasetId: 1 }).patience, name).toBe(0)
    }
    for (const name of ['paper-2d', 'paper-3d', 'paper-2d-small']) {
      const c = TrainConfigSchema.parse({ ...sweepPresets[name]?.train, datasetId: 1 })
      // A point at or before the start of the last fifth, and one at the end.
      expect(c.valEvery, name).toBeGreaterThan(0)
      expect(c.valEvery, name).toBeLessThanOrEqual(c.steps / 5)
    }
  })
})

/** Mean validation and test Dice of the weights in a checkpoint, evaluated afresh. */
async function scoreCheckpoint(job: TrainJob, path: string): Promise<{ validation: number; test: number; step: unknown }> {
  const checkpoint = readCheckpoint(path)
  const net = buildModel(job.config.model, { inChannels: 1, numClasses: job.numClasses, rng: deriveRng(0, 'other') })
  try {
    loadCheckpointInto(net, checkpoint, path)
    const options = { dims: 2, numClasses: job.numClasses, batchSize: job.config.batchSize, sizeMultiple: net.sizeMultiple, patchSize: job.config.patchSize, windowOverlap: 0.5 } as const
    const predict = netPredictor(net)
    const validation = (await evaluateVolumes(job.validate, 'validation', options, predict)).meanDice
    const test = (await evaluateVolumes(job.evaluate, 'test', options, predict)).meanDice
    return { validation, test, step: checkpoint.header.meta.step }
  } finally {
    net.dispose()
  }
}

describe('trainJob with validation', () => {
  it('records a validation curve every n steps and takes every step when patience is 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-val-'))
    const job = discsJob(dir, { valEvery: 10, steps: 40 })
    const result = await trainJob(job)
    const v = result.validation
    expect(v).toMatchObject({ every: 10, patience: 0, volumes: 2, stoppedAt: null, evaluatedWeights: 'last', lastCheckpoint: null })
    expect(v?.curve.map((p) => p.step)).toEqual([10, 20, 30, 40])
    expect(result.steps).toBe(40)
    // It learns: the validation Dice rises from the first evaluation to the last.
    expect((v?.curve.at(-1)?.dice ?? 0) - (v?.curve[0]?.dice ?? 1)).toBeGreaterThan(0.2)
    const saved = await scoreCheckpoint(job, result.checkpoint)
    expect(saved.step).toBe(40)
    expect(saved.validation).toBe(v?.curve.at(-1)?.dice)
    expect(saved.test).toBe(result.evaluation?.meanDice)
  })

  it('stops after `patience` evaluations without improvement and evaluates the best-on-validation weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-early-'))
    const job = discsJob(dir, { valEvery: 4, patience: 2, steps: 60 })
    const result = await trainJob(job)
    const v = result.validation
    if (!v || v.stoppedAt === null) throw new Error(`expected the run to stop early; validation ${JSON.stringify(v)}`)
    expect(v.stoppedAt).toBeLessThan(60)
    expect(result.steps).toBe(v.stoppedAt)
    expect(v.curve.map((p) => p.step)).toEqual(Array.from({ length: v.stoppedAt / 4 }, (_, i) => 4 * (i + 1)))
    // The best is `patience` evaluations before the end, and nothing after it is higher.
    expect(v.bestStep).toBe(v.stoppedAt - 2 * 4)
    expect(v.bestDice).toBe(Math.max(...v.curve.map((p) => p.dice)))
    const last = v.curve.at(-1)?.dice as number
    expect(last).toBeLessThan(v.bestDice)
    expect(v.evaluatedWeights).toBe('best')
    // The run's checkpoint holds the best weights (they score the best validation Dice again and gave the test
    // scores); the last weights are kept beside it and score lower on validation.
    const best = await scoreCheckpoint(job, result.checkpoint)
    expect(best).toMatchObject({ step: v.bestStep, validation: v.bestDice, test: result.evaluation?.meanDice })
    expect(v.lastCheckpoint).toBe(result.checkpoint.replace(/\.ckpt$/, '.last.ckpt'))
    expect(existsSync(v.lastCheckpoint as string)).toBe(true)
    const lastWeights = await scoreCheckpoint(job, v.lastCheckpoint as string)
    expect(lastWeights).toMatchObject({ step: v.stoppedAt, validation: last })
  })
})
