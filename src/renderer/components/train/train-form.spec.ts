import { describe, expect, it } from 'vitest'
import { TrainConfigSchema, type TrainProgress } from '../../../shared/training'
import { configFromForm, defaultTrainForm, describeProgress, flipAdvice, formatEta, progressFraction } from './train-form'

describe('the train form', () => {
  it('at its defaults describes the schema default config', () => {
    const config = TrainConfigSchema.parse({ ...configFromForm(defaultTrainForm()), datasetId: 3 })
    expect(config).toEqual(TrainConfigSchema.parse({ datasetId: 3 }))
  })

  it('starts with flips off, and says why next to the toggle (a flip swaps the hippocampus labels)', () => {
    expect(defaultTrainForm().flip).toBe(false)
    expect(TrainConfigSchema.parse({ ...configFromForm(defaultTrainForm()), datasetId: 1 }).augment.flip).toBe(false)
    expect(flipAdvice).toMatch(/hippocampus.*swaps the anterior and posterior labels/)
  })

  it('carries every field it shows, and the amount of each augmentation toggle', () => {
    const form = defaultTrainForm()
    Object.assign(form, { planId: 4, interpolated: 'sdf', modelKind: 'unet3d', depth: 1, baseChannels: 4, normalisation: 'none', steps: 5, batchSize: 2, lr: 0.01, loss: 'dice-ce', optimizer: 'sgd', seed: 9, flip: true })
    form.augment.rotate = true
    form.augment.intensity = true
    const c = TrainConfigSchema.parse({ ...configFromForm(form), datasetId: 1 })
    expect(c).toMatchObject({ planId: 4, interpolated: 'sdf', steps: 5, batchSize: 2, seed: 9 })
    expect(c.model).toEqual({ kind: 'unet3d', depth: 1, baseChannels: 4, normalisation: 'none' })
    expect(c.optimizer).toMatchObject({ kind: 'sgd', lr: 0.01 })
    expect(c.loss.kind).toBe('dice-ce')
    expect(c.augment).toMatchObject({ flip: true, rotateDegrees: 15, scale: 0, intensityShift: 0.1, intensityScale: 0.1, elasticAlpha: 0 })
  })

  it("carries a new kind with only the options it takes (depth and norm stay the schema's defaults)", () => {
    const form = { ...defaultTrainForm(), modelKind: 'unetr3d' as const, baseChannels: 8, hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, patchEdge: 8, depth: 2 }
    const c = TrainConfigSchema.parse({ ...configFromForm(form), datasetId: 1 })
    expect(c.model).toEqual({ kind: 'unetr3d', depth: 3, baseChannels: 8, normalisation: 'batch', hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, patchEdge: 8 })
  })

  it('forces the chosen backend, and leaves it out for Automatic (the ladder)', () => {
    expect(defaultTrainForm().backend).toBeNull()
    expect('backend' in configFromForm(defaultTrainForm())).toBe(false)
    for (const backend of ['webgpu', 'wasm', 'cpu', 'tensorflow'] as const) {
      expect(TrainConfigSchema.parse({ ...configFromForm({ ...defaultTrainForm(), backend }), datasetId: 1 }).backend).toBe(backend)
    }
  })

  it('drops the interpolation method when no plan is chosen (the schema would refuse it)', () => {
    const form = { ...defaultTrainForm(), interpolated: 'propagate' as const }
    expect(configFromForm(form).interpolated).toBeNull()
  })
})

describe('progress text', () => {
  const p: TrainProgress = { runId: 1, phase: 'training', step: 25, steps: 100, loss: 0.51234, lr: 1e-3, stepsPerSecond: 2.5, etaSeconds: 65.4, annotatedFraction: null }
  it('says step, loss, speed and ETA', () => {
    expect(describeProgress(p)).toBe('step 25 / 100 · loss 0.5123 · 2.50 steps/s · ETA 1 m 05 s')
    expect(progressFraction(p)).toBe(0.25)
    expect(progressFraction({ ...p, phase: 'evaluating', done: 1, total: 4 })).toBe(0.25)
  })
  it('formats ETAs', () => {
    expect(formatEta(null)).toBe('')
    expect(formatEta(9.6)).toBe('10 s')
    expect(formatEta(3600 + 120)).toBe('1 h 02 m')
  })
})
