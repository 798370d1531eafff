import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../shared/run'
import { SweepGridSchema } from '../../../shared/sweep'
import { expandTrials } from '../../../main/core/sweeps/expand'
import { defaultSweepForm, estimateSweepSeconds, sweepFromForm, timingFromRuns } from './sweep-form'

describe('sweepFromForm', () => {
  it('builds the grid from the fields, with the trial count the core expands it into', () => {
    const r = sweepFromForm({ ...defaultSweepForm(), densities: '0.1, 0.2', volumeFractions: '0.5 1', methods: ['random', 'fixed'], interpolation: ['none', 'sdf'], seeds: '0,1,2', steps: '40' })
    if (!r.ok) throw new Error(r.message)
    expect(r.definition.grid).toMatchObject({ densities: [0.1, 0.2], volumeFractions: [0.5, 1], methods: ['fixed', 'random'], interpolation: ['none', 'sdf'], seeds: [0, 1, 2] })
    expect(r.definition.train).toEqual({ steps: 40, batchSize: 2 })
    // 3 seeds × (1 dense + 2 × 2 × 2 × 2) = 51, as the core's expansion counts them.
    expect(r.trials).toBe(51)
    expect(expandTrials(SweepGridSchema.parse(r.definition.grid))).toHaveLength(51)
  })

  it('names the field that is wrong and why', () => {
    expect(sweepFromForm({ ...defaultSweepForm(), densities: '0.2, 1.5' })).toEqual({ ok: false, field: 'densities', message: 'ρ (density): 1.5 is not a fraction above 0 and at most 1' })
    expect(sweepFromForm({ ...defaultSweepForm(), volumeFractions: 'half' })).toMatchObject({ ok: false, field: 'volumeFractions' })
    expect(sweepFromForm({ ...defaultSweepForm(), methods: [] })).toMatchObject({ ok: false, field: 'methods', message: 'Selection methods: tick at least one' })
    expect(sweepFromForm({ ...defaultSweepForm(), seeds: '0, 0' })).toMatchObject({ ok: false, field: 'seeds' })
    expect(sweepFromForm({ ...defaultSweepForm(), steps: '0' })).toMatchObject({ ok: false, field: 'steps' })
  })
})

describe('the model of a sweep form', () => {
  it("puts the chosen kind with only its own options into the grid, named by them", () => {
    const r = sweepFromForm({ ...defaultSweepForm(), modelKind: 'segresnet3d', baseChannels: '8', blocksDown: '1,2', blocksUp: '1' })
    if (!r.ok) throw new Error(r.message)
    expect(r.definition.grid.models).toEqual([{ name: 'segresnet3d-c8-12', model: { kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 2], blocksUp: [1] } }])
    const vit = sweepFromForm({ ...defaultSweepForm(), modelKind: 'unetr3d', baseChannels: '8', hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, patchEdge: 16 })
    expect(vit.ok && vit.definition.grid.models[0]).toEqual({ name: 'unetr3d-h96l4', model: { kind: 'unetr3d', baseChannels: 8, hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, patchEdge: 16 } })
    const segformer = sweepFromForm({ ...defaultSweepForm(), modelKind: 'segformer2d', size: 'b1' })
    expect(segformer.ok && segformer.definition.grid.models[0]).toEqual({ name: 'segformer2d-b1', model: { kind: 'segformer2d', size: 'b1' } })
  })

  it("names the model option that is wrong, by the kind's own rules", () => {
    expect(sweepFromForm({ ...defaultSweepForm(), modelKind: 'segresnet2d', blocksDown: '1,2,2', blocksUp: '1' })).toEqual({
      ok: false,
      field: 'blocksUp',
      message: 'Blocks up: segresnet2d needs one level up fewer than down: blocksDown has 3 levels, blocksUp 1',
    })
    expect(sweepFromForm({ ...defaultSweepForm(), modelKind: 'unetr3d', layers: '6' })).toMatchObject({ ok: false, field: 'layers' })
    expect(sweepFromForm({ ...defaultSweepForm(), modelKind: 'unetr3d', hiddenSize: '' })).toMatchObject({ ok: false, field: 'hiddenSize' })
    // A U-Net's depth is checked; a SegResNet has none to check.
    expect(sweepFromForm({ ...defaultSweepForm(), depth: '9' })).toMatchObject({ ok: false, field: 'depth' })
    expect(sweepFromForm({ ...defaultSweepForm(), modelKind: 'segresnet2d', baseChannels: '8', depth: '9' }).ok).toBe(true)
  })
})

describe('the time estimate', () => {
  const run = (id: number, kind: string, msPerStep: number): RunRecord => ({
    id, kind: 'training', status: 'done', datasetId: 1, seed: 0, config: { model: { kind } }, error: null,
    createdAt: '', startedAt: null, finishedAt: null, pid: null, host: null,
    result: {
      backend: 'wasm', backendReasons: [], adapter: null, threads: 1, trainVolumes: 1, annotatedSlices: 1, parameters: 1, steps: 10,
      timings: { loadMs: 100, trainMs: 10 * msPerStep, msPerStep, evalMs: 400 }, peakRssMb: 1, curve: [], checkpoint: '', evaluation: null,
    },
  })

  it('times trials by the median of finished runs of the same model kind, else of any kind', () => {
    const runs = [run(1, 'unet2d', 10), run(2, 'unet2d', 30), run(3, 'unet2d', 20), run(4, 'unet3d', 500)]
    expect(timingFromRuns(runs, 'unet2d')).toEqual({ msPerStep: 20, overheadMs: 500, runs: 3 })
    expect(timingFromRuns(runs, 'attention-unet2d')?.runs).toBe(4)
    expect(timingFromRuns([], 'unet2d')).toBeUndefined()
    // 5 trials × (100 steps × 20 ms + 500 ms) = 12.5 s.
    expect(estimateSweepSeconds(5, 100, timingFromRuns(runs, 'unet2d'))).toBe(12.5)
    expect(estimateSweepSeconds(5, 100, undefined)).toBeUndefined()
  })
})
