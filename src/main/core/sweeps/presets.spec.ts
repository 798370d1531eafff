// The presets are valid definitions of the stated size, and paper-2d-small creates on real volumes.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase } from '../store/database'
import { createSweep, parseSweepDefinition } from './create-sweep'
import { expandTrials, trialCount, trialKey } from './expand'
import { listTrials } from '../store/sweeps-repo'
import { resolveTrainJob } from '../training/resolve-job'
import { sweepPreset, sweepPresets } from './presets'
import { trialConfig } from './trial-config'

describe('sweep presets', () => {
  it('are valid definitions: the paper\'s full designs and the reduced one, with its reductions stated', () => {
    const counts = Object.fromEntries(Object.keys(sweepPresets).map((name) => [name, trialCount(parseSweepDefinition(sweepPreset(name)).grid)]))
    // paper-2d: 3 seeds × 2 models × (5·4·3·2 + 1); paper-3d: 2 seeds × 3 models × (4 densities + 1); small: 2 × (3·3·2·2 + 1);
    // hippo: 3 × (7 fixed cells on the budget lines and ρ 0.05 + 2·2 random/representative + 2 M.I. + dense).
    expect(counts).toEqual({ 'paper-2d': 726, 'paper-3d': 30, 'paper-2d-hippo': 42, 'paper-2d-small': 74 })
    const small = parseSweepDefinition(sweepPreset('paper-2d-small'))
    expect(small.notes.join(' ')).toMatch(/Reduced from the paper's 2D design .* 500 steps at batch 8 on 60×44 slices/)
    expect(small.preset).toBe('paper-2d-small')
    expect(() => sweepPreset('paper-4d')).toThrow(/--preset paper-4d: is not a preset; known: paper-2d, paper-3d, paper-2d-hippo, paper-2d-small/)
  })

  it('paper-2d-small creates on the sample: every cell possible, plans per (ρ, s, method, seed)', async () => {
    const db = openDatabase(':memory:')
    try {
      importDataset({ db, workspace: mkdtempSync(join(tmpdir(), 'wb-preset-')) }, { folder: sampleDataDir, name: 'sample' })
      const created = await createSweep(db, { dataset: 'sample', definition: sweepPreset('paper-2d-small') })
      expect(created).toMatchObject({ trials: 74, plansCreated: 3 * 3 * 2 * 2 })
    } finally {
      db.close()
    }
  })

  it("paper-3d asks the 3D density question of the paper's three 3D models, and every trial's config resolves on the sample", async () => {
    const definition = parseSweepDefinition(sweepPreset('paper-3d'))
    expect(definition.grid.models.map((m) => m.model.kind)).toEqual(['unet3d', 'segresnet3d', 'unetr3d'])
    const cells = new Set(expandTrials(definition.grid).map((t) => `${t.density}|${t.volumeFraction}|${t.method}|${t.interpolation}`))
    expect([...cells].sort()).toEqual(['0.05|1|fixed|none', '0.1|1|fixed|none', '0.2|1|fixed|none', '0.4|1|fixed|none', '1|1|dense|none'])
    expect(definition.grid.seeds).toHaveLength(2)
    expect(definition.notes.join(' ')).toMatch(/full-length setting is 3000 steps and 3 seeds/)
    const db = openDatabase(':memory:')
    try {
      const dataset = importDataset({ db, workspace: mkdtempSync(join(tmpdir(), 'wb-preset-')) }, { folder: sampleDataDir, name: 'sample' })
      const created = await createSweep(db, { dataset: 'sample', definition: sweepPreset('paper-3d') })
      expect(created).toMatchObject({ trials: 30, plansCreated: 4 * 2 })
      const models = new Set<string>()
      for (const trial of listTrials(db, created.sweepId)) {
        const job = await resolveTrainJob({ db }, trialConfig(definition, dataset.id, trial.spec, trial.planId))
        models.add(JSON.stringify(job.config.model))
      }
      // The stored configs hold each kind's defaults, and UNETR's image size is the 32³ patch.
      expect([...models].map((m) => JSON.parse(m) as Record<string, unknown>)).toEqual([
        { kind: 'unet3d', depth: 3, baseChannels: 16, normalisation: 'instance' },
        { kind: 'segresnet3d', depth: 3, baseChannels: 8, normalisation: 'batch', blocksDown: [1, 2, 2, 4], blocksUp: [1, 1, 1] },
        { kind: 'unetr3d', depth: 3, baseChannels: 16, normalisation: 'batch', hiddenSize: 192, layers: 4, heads: 4, mlpDim: 768, patchEdge: 8, imageSize: [32, 32, 32] },
      ])
    } finally {
      db.close()
    }
  })

  it('paper-2d-hippo runs the issue\'s cells and no others, every one of them the same fixed steps', () => {
    const definition = parseSweepDefinition(sweepPreset('paper-2d-hippo'))
    const cells = new Set(expandTrials(definition.grid).filter((t) => t.seed === 0).map((t) => trialKey(t).replace('unet2d-w8|', '').replace('|seed=0', '')))
    expect([...cells].sort()).toEqual(
      [
        'dense',
        'rho=0.2|s=1|fixed|none', 'rho=0.4|s=0.5|fixed|none', 'rho=0.8|s=0.25|fixed|none',
        'rho=0.1|s=1|fixed|none', 'rho=0.2|s=0.5|fixed|none', 'rho=0.4|s=0.25|fixed|none',
        'rho=0.05|s=1|fixed|none',
        'rho=0.2|s=1|random|none', 'rho=0.2|s=1|representative|none', 'rho=0.05|s=1|random|none', 'rho=0.05|s=1|representative|none',
        'rho=0.2|s=1|fixed|propagate', 'rho=0.05|s=1|fixed|propagate',
      ].sort(),
    )
    expect(definition.train).toMatchObject({ steps: 3000, batchSize: 16, sliceSize: [64, 48], augment: { flip: false }, valEvery: 300 })
    expect(definition.train).not.toHaveProperty('patience')
    expect(definition.train).not.toHaveProperty('model')
  })
})
