import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import type { PlanRequestInput } from '../../../shared/plan'
import { importDataset } from '../datasets/import'
import { openDatabase, type Db } from '../store/database'
import { listPlans } from '../store/plans-repo'
import { sampleDataDir } from '../../test-support/shared-data'
import { slicesPerVolume, volumeCount } from './budget'
import { exportPlan } from './exchange'
import { importPlan } from './import-plan'
import { createPlan } from './plans'

let db: Db
let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-plans-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace: join(root, 'ws') }, { folder: sampleDataDir, name: 'sample' })
})
afterEach(() => db.close())

const request = (over: Partial<PlanRequestInput> = {}): PlanRequestInput => ({
  dataset: 'sample',
  density: 0.2,
  volumeFraction: 0.5,
  method: 'fixed',
  ...over,
})

describe('createPlan', () => {
  it('selects round(s·N) training volumes and k = max(1, round(ρ·n)) sorted, distinct, in-range slices each', async () => {
    for (const method of ['fixed', 'random', 'representative'] as const) {
      const { plan } = await createPlan(db, request({ method, seed: 3 }))
      expect(plan.items).toHaveLength(volumeCount(15, 0.5))
      for (const item of plan.items) {
        expect(item.slices).toHaveLength(slicesPerVolume(item.sliceCount, 0.2))
        expect(new Set(item.slices).size).toBe(item.slices.length)
        expect([...item.slices].sort((a, b) => a - b)).toEqual(item.slices)
        expect(item.slices.every((s) => s >= 0 && s < item.sliceCount)).toBe(true)
      }
      expect(plan.totalSlices).toBe(plan.items.reduce((s, i) => s + i.slices.length, 0))
      expect(plan.perVolumeCountsDiffer).toBe(false)
    }
  })

  it('gives the identical plan for the same inputs and seed, and reuses the stored one', async () => {
    const a = await createPlan(db, request({ method: 'random', seed: 11 }))
    const b = await createPlan(db, request({ method: 'random', seed: 11 }))
    expect(b.reused).toBe(true)
    expect(b.plan).toEqual(a.plan)
    const c = await createPlan(db, request({ method: 'random', seed: 12 }))
    expect(c.plan.items).not.toEqual(a.plan.items)
  })

  it('nests volume subsets over s, and a volume keeps its random slices across subsets', async () => {
    const small = (await createPlan(db, request({ method: 'random', volumeFraction: 0.25, seed: 5 }))).plan
    const large = (await createPlan(db, request({ method: 'random', volumeFraction: 1, seed: 5 }))).plan
    const bigItems = new Map(large.items.map((i) => [i.volume, i.slices]))
    for (const item of small.items) expect(bigItems.get(item.volume)).toEqual(item.slices)
  })

  it('spends the same budget across the dataset with scope "dataset"', async () => {
    const perVolume = (await createPlan(db, request({ method: 'representative' }))).plan
    const joint = (await createPlan(db, request({ method: 'representative', scope: 'dataset', rule: 'kmedoids' }))).plan
    expect(joint.totalSlices).toBe(perVolume.totalSlices)
    expect(joint.items.map((i) => i.volume)).toEqual(perVolume.items.map((i) => i.volume))
    expect(joint.items.every((i) => i.slices.length >= 1)).toBe(true)
  })

  it("selects representative slices with features 'autoencoder' (one fit on a few volumes, joint scope)", async () => {
    const { plan } = await createPlan(db, request({ method: 'representative', features: 'autoencoder', scope: 'dataset', volumeFraction: 0.2, seed: 4 }))
    expect(plan.features).toBe('autoencoder')
    expect(plan.items).toHaveLength(volumeCount(15, 0.2))
    const budget = plan.items.reduce((s, i) => s + slicesPerVolume(i.sliceCount, 0.2), 0)
    expect(plan.totalSlices).toBe(budget)
    for (const item of plan.items) {
      expect(new Set(item.slices).size).toBe(item.slices.length)
      expect(item.slices.every((s) => Number.isInteger(s) && s >= 0 && s < item.sliceCount)).toBe(true)
    }
  })

  it("per-volume 'autoencoder' plans: one fit on every training volume, so nested subsets share a volume's slices", async () => {
    const small = (await createPlan(db, request({ method: 'representative', features: 'autoencoder', volumeFraction: 0.2, seed: 4 }))).plan
    const large = (await createPlan(db, request({ method: 'representative', features: 'autoencoder', volumeFraction: 0.4, seed: 4 }))).plan
    expect(small.items).toHaveLength(volumeCount(15, 0.2))
    for (const item of small.items) {
      expect(item.slices).toHaveLength(slicesPerVolume(item.sliceCount, 0.2))
      expect(large.items.find((i) => i.volume === item.volume)?.slices).toEqual(item.slices)
    }
  })

  it('refuses bad requests with an error naming the option, and stores nothing', async () => {
    const cases: [Partial<PlanRequestInput>, RegExp][] = [
      [{ density: 0 }, /--density: must be a fraction in \(0, 1\]/],
      [{ density: 1.5 }, /--density/],
      [{ volumeFraction: 0 }, /--volumes/],
      [{ volumeFraction: 2 }, /--volumes/],
      [{ dataset: 'nope' }, /nope: no dataset has this name/],
      [{ scope: 'dataset' }, /representative selection only/],
    ]
    for (const [over, message] of cases) {
      let caught: unknown
      await createPlan(db, request(over)).catch((err: unknown) => (caught = err))
      expect(caught, JSON.stringify(over)).toBeInstanceOf(Error)
      expect(String((caught as Error).message)).toMatch(message)
    }
    expect(listPlans(db)).toEqual([])
  })
})

describe('plan export and import', () => {
  it('a plan exported as nnU-Net ignore-label files and imported back gives the same slices', async () => {
    const { plan } = await createPlan(db, request({ method: 'random', seed: 2 }))
    const out = join(root, 'nnunet')
    const dataset = (await import('./plans')).requireDataset(db, 'sample')
    exportPlan(plan, dataset, 'nnunet', out)
    const imported = importPlan(db, out, 'sample', join(root, 'ws'))
    expect(imported.source).toBe('imported')
    expect(imported.items.map((i) => [i.volume, i.slices])).toEqual(plan.items.map((i) => [i.volume, i.slices]))
    expect(imported.items.every((i) => i.maskPath?.startsWith(join(root, 'ws', 'plans', String(imported.planId))))).toBe(true)
    expect(imported.density).toBeCloseTo(plan.totalSlices / plan.items.reduce((s, i) => s + i.sliceCount, 0))
  })

  it('refuses an import of an unknown dataset or a missing folder and stores nothing', async () => {
    expect(() => importPlan(db, join(root, 'missing'), 'sample', join(root, 'ws'))).toThrow(join(root, 'missing'))
    // Asserted outside any catch: a call that threw nothing must fail the test, not skip the check.
    let caught: unknown = null
    try {
      importPlan(db, join(root, 'missing'), 'nope', join(root, 'ws'))
    } catch (err) {
      caught = err
    }
    expect(isInputError(caught), String(caught)).toBe(true)
    expect(isInputError(caught) && caught.source).toBe('nope')
    expect(listPlans(db)).toEqual([])
  })
})
