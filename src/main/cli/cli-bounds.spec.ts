// The CLI door of issue 14 items 4 and 8: sizes this machine cannot hold and unknown keys in --config and --grid
// files are refused with one line naming the option (and the file), exit 1, and nothing stored.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliRunner } from '../test-support/cli-harness'
import { sampleDataDir } from '../test-support/shared-data'

let root: string
let common: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-bounds-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})
const cli = cliRunner(() => common)

function file(name: string, content: unknown): string {
  const path = join(root, name)
  writeFileSync(path, JSON.stringify(content))
  return path
}

/** Runs a command that must fail with exit 1 and one error line; returns that line. */
async function refused(...args: string[]): Promise<string> {
  const r = await cli(...args)
  expect(r.code, r.err).toBe(1)
  expect(r.out).toBe('')
  const lines = r.err.trim().split('\n')
  expect(lines).toHaveLength(1)
  return lines[0] ?? ''
}

describe('workbench train --config: unknown keys', () => {
  it('refuses a misspelt option by name, naming the file (before: trained 1000 steps, the default)', async () => {
    const cfg = file('stepz.json', { stepz: 10 })
    expect(await refused('train', '--dataset', 'sample', '--config', cfg)).toBe(`workbench: error: train config (file ${cfg}): unknown key 'stepz'`)
    const nested = file('lrr.json', { optimizer: { kind: 'sgd', lrr: 0.1 } })
    expect(await refused('train', '--dataset', 'sample', '--config', nested)).toBe(`workbench: error: train config optimizer (file ${nested}): unknown key 'lrr'`)
  })

  it('refuses a section that is not an object of options (before: dropped for the defaults)', async () => {
    const cfg = file('model.json', { model: 'unet3d' })
    expect(await refused('train', '--dataset', 'sample', '--config', cfg)).toBe(`workbench: error: ${cfg}: "model" is an object of options, got "unet3d"`)
  })

  it('refuses a slice size this machine cannot train, with the size it would need; no run is recorded', async () => {
    expect(await refused('train', '--dataset', 'sample', '--slice-size', '100000,100000', '--steps', '2')).toMatch(
      /^workbench: error: train option sliceSize: 100000×100000 would need 55.7 TB \(.*\); this machine can give one training run at most [\d.]+ [KMGT]B \(half of its [\d.]+ [KMGT]B\)$/,
    )
    expect((await cli('runs', '--json')).out.trim()).toBe('[]')
  })
})

describe('workbench import: size bounds', () => {
  it('refuses a target shape this machine cannot hold before reading a pair; nothing stored', async () => {
    expect(await refused('import', sampleDataDir, '--name', 'huge', '--shape', '100000,100000,100000')).toMatch(
      /^workbench: error: import option preprocessing\.targetShape: 100000×100000×100000 would need 16 PB \(4 bytes × 4 copies a voxel\); this machine can give one import at most /,
    )
    expect(await refused('import', sampleDataDir, '--name', 'fine', '--spacing', '0.001,1,1')).toBe(
      'workbench: error: import option preprocessing.targetSpacing.0: a voxel size is at least 0.01 mm',
    )
    const listed = (JSON.parse((await cli('datasets', '--json')).out) as { name: string }[]).map((d) => d.name)
    expect(listed).toEqual(['sample'])
  })
})

describe('workbench sweep create --grid: unknown keys', () => {
  const grid = { densities: [0.4], volumeFractions: [0.5], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }] }

  it('refuses an unknown key of the grid, its models or its train config by name, naming the file; no sweep stored', async () => {
    const bare = file('bare.json', { ...grid, seedz: [1, 2] })
    expect(await refused('sweep', 'create', '--dataset', 'sample', '--grid', bare)).toBe(`workbench: error: sweep grid (file ${bare}): unknown key 'seedz'`)
    const model = file('model.json', { grid: { ...grid, models: [{ name: 'tiny', model: { depth: 1, width: 4 } }] } })
    expect(await refused('sweep', 'create', '--dataset', 'sample', '--grid', model)).toBe(`workbench: error: sweep grid.models.0.model (file ${model}): unknown key 'width'`)
    const train = file('train.json', { grid, train: { stepz: 10 } })
    expect(await refused('sweep', 'create', '--dataset', 'sample', '--grid', train)).toBe(`workbench: error: sweep train (file ${train}): unknown key 'stepz'`)
    expect((await cli('sweep', 'list', '--json')).out.trim()).toBe('[]')
  })
})
