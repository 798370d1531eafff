// Issue 17's "done when" at the CLI door: `workbench train --dataset sample --model <kind> --steps 3` trains and
// evaluates for every kind (tiny sizes), each kind's own options are flags (refused by name for a kind without them),
// `train --help` lists every model with its parameter count and paper, and --config files and sweep grids take the
// new kinds and options.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { modelCatalogue } from '../../shared/model-catalogue'
import { formatParameterCount, parameterCount } from '../../shared/param-counts'
import { modelKinds, ModelConfigSchema, TrainResultSchema, type ModelKind } from '../../shared/training'
import { cliRunner } from '../test-support/cli-harness'

let root: string
let common: string[]
let patch3d: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-models-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
  // Windows that do not overlap: the sliding-window evaluation of the 3 test volumes takes about 36 windows each, not 175.
  const windows = join(root, 'windows.json')
  writeFileSync(windows, JSON.stringify({ windowOverlap: 0 }))
  patch3d = ['--patch', '16,16,16', '--batch', '1', '--config', windows]
})

const cli = cliRunner(() => common)

/** Each kind at a size that trains 3 steps and evaluates on the sample's 3 test volumes in seconds. */
const tiny = (): Record<ModelKind, string[]> => ({
  unet2d: ['--depth', '1', '--base', '4', '--batch', '2'],
  'attention-unet2d': ['--depth', '1', '--base', '4', '--batch', '2'],
  unet3d: ['--depth', '1', '--base', '4', ...patch3d],
  'inception-unet2d': ['--depth', '1', '--base', '4', '--batch', '2'],
  segresnet2d: ['--base', '8', '--blocks-down', '1,1', '--blocks-up', '1', '--batch', '2'],
  segresnet3d: ['--base', '8', '--blocks-down', '1,1', '--blocks-up', '1', ...patch3d],
  unetr3d: ['--base', '4', '--hidden-size', '32', '--layers', '4', '--heads', '2', '--mlp-dim', '64', '--vit-patch', '8', ...patch3d],
  segformer2d: ['--size', 'b0', '--batch', '2'],
})

async function runs(): Promise<unknown[]> {
  return JSON.parse((await cli('runs', '--json')).out) as unknown[]
}

describe('workbench train --model', () => {
  it.each(modelKinds.map((k) => [k]))('%s trains 3 steps on the sample and evaluates on its test volumes', async (kind) => {
    const r = await cli('--json', 'train', '--dataset', 'sample', '--model', kind, ...tiny()[kind], '--steps', '3')
    expect(r.err, r.err).toBe('')
    expect(r.code).toBe(0)
    const run = JSON.parse(r.out) as { config: { model: unknown }; result: unknown }
    const result = TrainResultSchema.parse(run.result)
    expect(result.steps).toBe(3)
    expect(result.evaluation?.volumes).toHaveLength(3)
    expect(Number.isFinite(result.evaluation?.meanDice)).toBe(true)
    // The run stores the resolved model (its kind's defaults filled in) and its parameter count is the closed form's.
    const model = ModelConfigSchema.parse(run.config.model)
    expect(model.kind).toBe(kind)
    expect(result.parameters).toBe(parameterCount(model, 1, 3))
  })

  it('lists every model in train --help with its parameter count at its defaults and its source paper', async () => {
    const help = await cli('train', '--help')
    expect(help.code).toBe(0)
    for (const f of modelCatalogue) {
      const config = ModelConfigSchema.parse({ kind: f.kind, ...(f.kind === 'unetr3d' ? { imageSize: [32, 32, 32] } : {}) })
      const count = formatParameterCount(parameterCount(config, 1, 2))
      expect(help.out).toContain(`  ${f.kind.padEnd(17)} ${f.dims}D ${count.padStart(7)}  ${f.name}: ${f.paper}`)
    }
    for (const flag of ['--size <b0|b1|b2|b3>', '--blocks-down <list>', '--blocks-up <list>', '--hidden-size <n>', '--layers <n>', '--heads <n>', '--mlp-dim <n>', '--vit-patch <n>']) {
      expect(help.out).toContain(flag)
    }
  })

  it('refuses an option the kind does not take by name, and bad values as usage errors, storing nothing', async () => {
    const before = await runs()
    const cases: [string[], number, RegExp][] = [
      [['--model', 'unet2d', '--hidden-size', '64'], 1, /^workbench: error: --hidden-size: unet2d has no option hiddenSize \(it is an option of unetr3d\)/],
      [['--model', 'segformer2d', '--blocks-down', '1,2'], 1, /--blocks-down: segformer2d has no option blocksDown \(it is an option of segresnet2d, segresnet3d\)/],
      [['--model', 'segresnet2d', '--blocks-down', '1,2,2', '--blocks-up', '1'], 1, /--blocks-up: segresnet2d needs one level up fewer than down/],
      [['--model', 'unetr3d', '--layers', '6'], 1, /--layers: UNETR takes its skips from layers 3, 6, 9 and 12/],
      [['--model', 'segformer2d', '--size', 'b9'], 2, /--size is one of b0, b1, b2, b3/],
      [['--model', 'segresnet2d', '--blocks-down', '1,x'], 2, /--blocks-down takes positive integers separated by commas, got "1,x"/],
      [['--model', 'segformer2d', '--slice-size', '48,48'], 1, /--slice-size: 48×48 is not a multiple of 32 \(segformer2d's encoder/],
    ]
    for (const [args, code, message] of cases) {
      const r = await cli('train', '--dataset', 'sample', '--steps', '1', ...args)
      expect(r.err, args.join(' ')).toMatch(message)
      expect(r.code, args.join(' ')).toBe(code)
    }
    expect(await runs()).toEqual(before)
  })

  it('takes the new kinds and their options from a --config file, flags overriding it', async () => {
    const file = join(root, 'segresnet.json')
    writeFileSync(file, JSON.stringify({ model: { kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 1], blocksUp: [1] }, steps: 2, batchSize: 2, evaluateOn: 'none' }))
    const r = await cli('--json', 'train', '--dataset', 'sample', '--config', file, '--blocks-down', '2,1')
    expect(r.err).toBe('')
    const run = JSON.parse(r.out) as { config: { model: unknown } }
    expect(run.config.model).toMatchObject({ kind: 'segresnet2d', baseChannels: 8, blocksDown: [2, 1], blocksUp: [1] })
  })
})

describe('sweep grids with the new models', () => {
  it('create with new kinds and their options; an option a kind lacks is refused naming the grid entry', async () => {
    const grid = {
      densities: [0.2],
      volumeFractions: [0.5],
      models: [
        { name: 'unetr-tiny', model: { kind: 'unetr3d', baseChannels: 4, hiddenSize: 32, layers: 4, heads: 2, mlpDim: 64, patchEdge: 8 } },
        { name: 'segresnet-tiny', model: { kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 1], blocksUp: [1] } },
      ],
    }
    const good = join(root, 'grid.json')
    writeFileSync(good, JSON.stringify({ grid, train: { steps: 2, batchSize: 1, patchSize: [16, 16, 16] } }))
    const created = await cli('sweep', 'create', '--dataset', 'sample', '--grid', good)
    expect(created.err).toBe('')
    expect(created.out).toMatch(/^sweep \d+: 4 trials queued/)
    const bad = join(root, 'bad-grid.json')
    writeFileSync(bad, JSON.stringify({ grid: { ...grid, models: [{ name: 'u', model: { kind: 'unet3d', hiddenSize: 32 } }] } }))
    const refused = await cli('sweep', 'create', '--dataset', 'sample', '--grid', bad)
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/^workbench: error: sweep grid\.models\.0\.model \(file .*bad-grid\.json\): u: unet3d has no option hiddenSize \(it is an option of unetr3d\)$/m)
  })
})
