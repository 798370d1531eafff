import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { inProcess } from '../execution'
import { interpolatePlan } from '../interpolation/plan-run'
import { runVolumeTask } from '../interpolation/volume-task'
import { createPlan } from '../planning/plans'
import { openDatabase, type Db } from '../store/database'
import { insertPlan } from '../store/plans-repo'
import { listRuns } from '../store/runs-repo'
import { parseTrainConfig, resolveTrainJob } from './resolve-job'

let db: Db
let workspace: string
let datasetId: number
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-train-job-'))
  db = openDatabase(':memory:')
  datasetId = importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' }).id
})
afterEach(() => db.close())

describe('parseTrainConfig', () => {
  it('fills in the defaults of the protocol', () => {
    const c = parseTrainConfig({ datasetId: 1 })
    expect(c).toMatchObject({ planId: null, interpolated: null, steps: 1000, batchSize: 16, sliceSize: [64, 64], seed: 0 })
    expect(c.model).toEqual({ kind: 'unet2d', depth: 3, baseChannels: 16, normalisation: 'batch' })
    expect(c.optimizer).toMatchObject({ kind: 'adam', lr: 1e-3 })
  })

  it('names the option that is wrong', () => {
    expect(() => parseTrainConfig({ datasetId: 1, model: { kind: 'resnet' } })).toThrow(/train option model\.kind/)
    expect(() => parseTrainConfig({ datasetId: 1, optimizer: { lr: -1 } })).toThrow(/train option optimizer\.lr/)
    expect(() => parseTrainConfig({ datasetId: 1, steps: 0 })).toThrow(/train option steps/)
    expect(() => parseTrainConfig({ datasetId: 1, interpolated: 'sdf' })).toThrow(/interpolated masks need a plan/)
  })

  it('refuses unknown keys by name at every level, instead of training with the default', () => {
    expect(() => parseTrainConfig({ datasetId: 1, stepz: 10 })).toThrow(/^train config: unknown key 'stepz'$/)
    expect(() => parseTrainConfig({ datasetId: 1, optimizer: { lrr: 0.1 } })).toThrow(/^train option optimizer: unknown key 'lrr'$/)
    expect(() => parseTrainConfig({ datasetId: 1, model: { depht: 2, width: 3 } })).toThrow(/^train option model: unknown keys 'depht', 'width'$/)
    // The unknown key is named even when it leaves another problem behind it.
    expect(() => parseTrainConfig({ datasetId: 1, steps: 0, batchsize: 4 })).toThrow(/unknown key 'batchsize'/)
  })
})

describe('resolveTrainJob size bounds', () => {
  it("refuses a slice size or batch this machine's memory cannot train, naming the option, the size and the limit", async () => {
    // 64×64 at depth 3, base 16: 22.8 MB a sample and 7.7 MB of weights (shared/limits.ts); a 200 MB machine gives one run 100 MB.
    const small = { db, memoryBytes: 200e6 }
    await expect(resolveTrainJob(small, { datasetId, batchSize: 16 })).rejects.toThrow(
      /^train option batchSize: 16 at 64×64 would need 373 MB \(7.72 MB of weights with their gradients and Adam's moments, and 16 samples × .* of unet2d, depth 3, base channels 16, norm batch\); this machine can give one training run at most 100 MB \(half of its 200 MB\): at most 4 samples a batch fit$/,
    )
    await expect(resolveTrainJob(small, { datasetId, batchSize: 4 })).resolves.toMatchObject({ datasetName: 'sample' })
    await expect(resolveTrainJob({ db }, { datasetId, sliceSize: [100_000, 100_000] })).rejects.toThrow(/^train option sliceSize: 100000×100000 would need 55.7 TB/)
    // 32³ at depth 3, base 16: 133 MB a sample and 22.4 MB of weights, over the 50 MB a 100 MB machine gives.
    const patch = { datasetId, model: { kind: 'unet3d' as const }, patchSize: [32, 32, 32] as [number, number, number], batchSize: 1 }
    await expect(resolveTrainJob({ db, memoryBytes: 100e6 }, patch)).rejects.toThrow(/^train option patchSize: 32×32×32 would need 155 MB \(22.4 MB of weights .*, and one sample's .*\); .* at most 50 MB/)
  })
})

describe('resolveTrainJob', () => {
  it('dense training takes every training volume and evaluates on the test split', async () => {
    const job = await resolveTrainJob({ db }, { datasetId })
    expect(job.train).toHaveLength(15)
    expect(job.evaluate).toHaveLength(3)
    expect(job.evaluateSplit).toBe('test')
    expect(job.numClasses).toBe(3)
    expect(job.train.every((v) => v.labels.kind === 'dense')).toBe(true)
  })

  it("a plan's volumes train on its slices only", async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.5, method: 'fixed' })
    const job = await resolveTrainJob({ db }, { datasetId, planId: plan.planId })
    expect(job.train.map((v) => v.caseId)).toEqual(plan.items.map((i) => i.volume))
    expect(job.train.map((v) => (v.labels.kind === 'slices' ? v.labels.slices : null))).toEqual(plan.items.map((i) => i.slices))
  })

  it('M.I. mode uses a stored interpolation of the plan, or makes one', async () => {
    const { plan } = await createPlan(db, { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })
    await expect(resolveTrainJob({ db }, { datasetId, planId: plan.planId, interpolated: 'sdf' })).rejects.toThrow(/has no sdf interpolation yet/)
    const interpolate = (planId: number, method: 'sdf' | 'propagate' | 'nearest') => interpolatePlan({ db, workspace, execute: inProcess(runVolumeTask) }, { planId, method })
    const job = await resolveTrainJob({ db, interpolate }, { datasetId, planId: plan.planId, interpolated: 'sdf' })
    expect(job.train.every((v) => v.labels.kind === 'interpolated')).toBe(true)
    expect(listRuns(db, { kind: 'interpolation' })).toHaveLength(1)
    // A second resolve finds the stored run instead of interpolating again.
    await resolveTrainJob({ db, interpolate }, { datasetId, planId: plan.planId, interpolated: 'sdf' })
    expect(listRuns(db, { kind: 'interpolation' })).toHaveLength(1)
  })

  it('refuses a plan of another dataset, a plan with no foreground, bad sizes and class-weight counts', async () => {
    importDataset({ db, workspace }, { folder: sampleDataDir, name: 'other' })
    const { plan } = await createPlan(db, { dataset: 'other', density: 0.2, volumeFraction: 0.5, method: 'fixed' })
    await expect(resolveTrainJob({ db }, { datasetId, planId: plan.planId })).rejects.toThrow(`plan ${plan.planId}: belongs to dataset "other", not "sample"`)
    await expect(resolveTrainJob({ db }, { datasetId, planId: 999 })).rejects.toThrow('plan 999: no plan has this id')
    await expect(resolveTrainJob({ db }, { datasetId: 999 })).rejects.toThrow('dataset 999: no dataset has this id')

    const empty = insertPlan(db, {
      ...plan,
      dataset: 'sample',
      datasetId,
      request: null,
      source: 'imported',
      method: 'imported',
      items: plan.items.slice(0, 1).map((i) => ({ ...i, volumeId: 1, slices: [] })),
    })
    await expect(resolveTrainJob({ db }, { datasetId, planId: empty.planId })).rejects.toThrow(/annotates no slice of any volume with foreground/)

    await expect(resolveTrainJob({ db }, { datasetId, sliceSize: [60, 64] })).rejects.toThrow(/--slice-size: 60×64 is not a multiple of 8/)
    await expect(resolveTrainJob({ db }, { datasetId, model: { kind: 'unet3d' }, patchSize: [128, 128, 128] })).rejects.toThrow(/--patch: 128×128×128 is larger than every training volume/)
    await expect(resolveTrainJob({ db }, { datasetId, loss: { classWeights: [1, 2] } })).rejects.toThrow(/--class-weights: gives 2 weights; dataset "sample" has 3 classes/)
  })
})

describe('resolveTrainJob models', () => {
  it("stores the model with its kind's defaults filled in, so the record replays the same net", async () => {
    const segresnet = await resolveTrainJob({ db }, { datasetId, model: { kind: 'segresnet3d', baseChannels: 8 }, batchSize: 2 })
    expect(segresnet.config.model).toMatchObject({ kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 2, 2, 4], blocksUp: [1, 1, 1] })
    const segformer = await resolveTrainJob({ db }, { datasetId, model: { kind: 'segformer2d' }, batchSize: 2 })
    expect(segformer.config.model).toMatchObject({ kind: 'segformer2d', size: 'b0' })
    // The U-Nets take no options: their stored config reads as before.
    expect((await resolveTrainJob({ db }, { datasetId })).config.model).toEqual({ kind: 'unet2d', depth: 3, baseChannels: 16, normalisation: 'batch' })
  })

  it("sets unetr3d's imageSize to the training patch as the net sees it (D×H×W = k×j×i), and refuses another", async () => {
    const vit = { kind: 'unetr3d' as const, hiddenSize: 48, layers: 4, heads: 4, mlpDim: 96, baseChannels: 4 }
    const job = await resolveTrainJob({ db }, { datasetId, model: vit, patchSize: [32, 48, 16], batchSize: 1 })
    expect(job.config.model).toMatchObject({ ...vit, patchEdge: 16, imageSize: [16, 48, 32] })
    await expect(resolveTrainJob({ db }, { datasetId, model: { ...vit, imageSize: [16, 48, 32] }, patchSize: [32, 48, 16], batchSize: 1 })).resolves.toBeDefined()
    await expect(resolveTrainJob({ db }, { datasetId, model: { ...vit, imageSize: [32, 32, 32] }, patchSize: [32, 48, 16], batchSize: 1 })).rejects.toThrow(
      /^model\.imageSize: 32×32×32 \(D×H×W\) is not the training patch 32×48×16 \(--patch i,j,k, so D×H×W 16×48×32\)/,
    )
  })

  it("refuses an option the kind does not take, by its flag, and sizes by the model's own rule", async () => {
    await expect(resolveTrainJob({ db }, { datasetId, model: { kind: 'unet2d', hiddenSize: 64 } })).rejects.toThrow(/^--hidden-size: unet2d has no option hiddenSize \(it is an option of unetr3d\)$/)
    await expect(resolveTrainJob({ db }, { datasetId, model: { kind: 'segformer2d' }, sliceSize: [48, 48] })).rejects.toThrow(
      /^--slice-size: 48×48 is not a multiple of 32 \(segformer2d's encoder reduces the size 32-fold/,
    )
    await expect(resolveTrainJob({ db }, { datasetId, model: { kind: 'unetr3d', layers: 4 }, patchSize: [24, 24, 24] })).rejects.toThrow(
      /^--patch: 24×24×24 is not a multiple of 16 \(unetr3d's ViT patch edge, --vit-patch\)/,
    )
    await expect(resolveTrainJob({ db }, { datasetId, model: { kind: 'segresnet2d', blocksDown: [1, 1], blocksUp: [1] }, sliceSize: [50, 51] })).rejects.toThrow(
      /^--slice-size: 50×51 is not a multiple of 2 \(segresnet2d halves the size 1 times: blocksDown has 2 levels\)/,
    )
    await expect(resolveTrainJob({ db }, { datasetId, sliceSize: [60, 64] })).rejects.toThrow(/^--slice-size: 60×64 is not a multiple of 8 \(2\^depth: unet2d halves the size 3 times\)/)
  })

  it('refuses before a run is recorded the sizes a builder cannot make', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'segresnet3d', baseChannels: 12 }, /^--base: segresnet3d: baseChannels \(MONAI's init_filters\) must be a multiple of 8 for its group norm of 8 groups, got 12$/],
      [{ kind: 'inception-unet2d', baseChannels: 3 }, /^--base: inception-unet2d shares each block's width over its four branches: baseChannels must be at least 4/],
      [{ kind: 'unetr3d', patchEdge: 6, layers: 4 }, /^--vit-patch: UNETR's ViT patch must be a power of two up to 16 .*got 6$/],
    ]
    for (const [model, message] of cases) {
      await expect(resolveTrainJob({ db }, { datasetId, model, patchSize: [24, 24, 24] }), JSON.stringify(model)).rejects.toThrow(message)
    }
  })

  it("sizes the memory check by the kind: UNETR's default ViT has 1.5 GB of weights and Adam state before any sample", async () => {
    // MONAI's UNETR defaults (hidden 768, 12 layers, MLP 3072) on a 2 GB machine (1 GB for one run): the weights alone do not fit.
    await expect(resolveTrainJob({ db, memoryBytes: 2e9 }, { datasetId, model: { kind: 'unetr3d' }, batchSize: 1 })).rejects.toThrow(
      /^train option model: unetr3d, feature size 16, hidden size 768, .* would need 1\.\d+ GB \(the weights of unetr3d, .* with their gradients and Adam's moments\); this machine can give one training run at most 1 GB/,
    )
    // A small ViT at 32³ fits there.
    await expect(resolveTrainJob({ db, memoryBytes: 2e9 }, { datasetId, model: { kind: 'unetr3d', hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, baseChannels: 8 }, batchSize: 1 })).resolves.toBeDefined()
  })
})
