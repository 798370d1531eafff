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
    // 64×64 at depth 3, base 16: 22.8 MB a sample (shared/limits.ts); a 200 MB machine gives one run 100 MB.
    const small = { db, memoryBytes: 200e6 }
    await expect(resolveTrainJob(small, { datasetId, batchSize: 16 })).rejects.toThrow(
      /^train option batchSize: 16 at 64×64 would need 365 MB \(.*\); this machine can give one training run at most 100 MB \(half of its 200 MB\): at most 4 samples a batch fit$/,
    )
    await expect(resolveTrainJob(small, { datasetId, batchSize: 4 })).resolves.toMatchObject({ datasetName: 'sample' })
    await expect(resolveTrainJob({ db }, { datasetId, sliceSize: [100_000, 100_000] })).rejects.toThrow(/^train option sliceSize: 100000×100000 would need 55.7 TB/)
    // 32³ at depth 3, base 16: 133 MB a sample, over the 50 MB a 100 MB machine gives.
    const patch = { datasetId, model: { kind: 'unet3d' as const }, patchSize: [32, 32, 32] as [number, number, number], batchSize: 1 }
    await expect(resolveTrainJob({ db, memoryBytes: 100e6 }, patch)).rejects.toThrow(/^train option patchSize: 32×32×32 would need 133 MB \(one sample's .*\); .* at most 50 MB/)
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
