import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { RunRecordSchema } from '../../shared/run'
import { TrainResultSchema } from '../../shared/training'
import { cliRunner } from '../test-support/cli-harness'

let root: string
let common: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-train-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

const cli = cliRunner(() => common)
const tiny = ['--depth', '1', '--base', '4', '--batch', '2', '--steps', '2']

describe('workbench train / runs', () => {
  it('trains a tiny 2D net on the sample in a worker, prints the run and its test metrics, and lists it', async () => {
    const trained = await cli('train', '--dataset', 'sample', ...tiny, '--seed', '7')
    expect(trained.err).toBe('')
    expect(trained.code).toBe(0)
    expect(trained.out).toMatch(/^run \d+: 2 steps on wasm/m)
    expect(trained.out).toMatch(/test split, 3 volumes: mean foreground Dice \d\.\d{3}/)
    const listed = await cli('runs', '--json')
    const runs = RunRecordSchema.array().parse(JSON.parse(listed.out))
    expect(runs[0]).toMatchObject({ kind: 'training', status: 'done', seed: 7 })
    expect(TrainResultSchema.parse(runs[0]?.result).steps).toBe(2)
    expect((await cli('runs')).out).toMatch(/training\s+done\s+sample\s+7 .* unet2d dense, 2 steps; test Dice/)
    const shown = await cli('runs', 'show', String(runs[0]?.id))
    expect(JSON.parse(shown.out)).toMatchObject({ id: runs[0]?.id, kind: 'training' })
  })

  it('--json prints the run with its config and result; a --config file is overridden by options', async () => {
    const file = join(root, 'config.json')
    writeFileSync(file, JSON.stringify({ steps: 50, optimizer: { kind: 'sgd', lr: 0.01 }, evaluateOn: 'none' }))
    const trained = await cli('train', '--dataset', 'sample', '--config', file, ...tiny, '--json')
    expect(trained.code).toBe(0)
    const run = JSON.parse(trained.out) as { runId: number; config: { steps: number; optimizer: { kind: string; lr: number }; augment: { flip: boolean } }; result: unknown }
    expect(run.config.steps).toBe(2)
    expect(run.config.optimizer).toMatchObject({ kind: 'sgd', lr: 0.01 })
    // Flips are off unless asked for (they swap the hippocampus's anterior and posterior labels); --flip asks.
    expect(run.config.augment.flip).toBe(false)
    const flipped = await cli('train', '--dataset', 'sample', '--config', file, ...tiny, '--flip', '--json')
    expect((JSON.parse(flipped.out) as typeof run).config.augment.flip).toBe(true)
    expect(TrainResultSchema.parse(run.result).evaluation).toBeNull()
  })

  it('bad input: a clear error, exit 1 (2 for usage), and nothing stored', async () => {
    const before = JSON.parse((await cli('runs', '--json')).out) as unknown[]
    const cases: [string[], number, RegExp][] = [
      [['train', '--dataset', 'nope'], 1, /nope: no dataset has this name/],
      [['train', '--dataset', 'sample', '--model', 'resnet'], 2, /--model is one of unet2d/],
      [['train', '--dataset', 'sample', '--lr', '-1'], 1, /train option optimizer\.lr/],
      [['train', '--dataset', 'sample', '--plan', '999'], 1, /plan 999: no plan has this id/],
      [['train', '--dataset', 'sample', '--model', 'unet3d', '--patch', '256,256,256'], 1, /--patch: 256×256×256 is larger than every training volume/],
      [['train', '--dataset', 'sample', '--init-from', join(root, 'missing.ckpt'), ...tiny], 1, /missing\.ckpt/],
      [['train', '--dataset', 'sample', '--config', join(root, 'missing.json')], 1, /missing\.json: cannot be read/],
    ]
    for (const [args, code, message] of cases) {
      const r = await cli(...args)
      expect(r.err, args.join(' ')).toMatch(message)
      expect(r.code, args.join(' ')).toBe(code)
    }
    expect(JSON.parse((await cli('runs', '--json')).out)).toEqual(before)
  })
})
