// --init-from through the CLI on the bundled sample, without PyTorch: a tiny U-Net's checkpoint written back as a
// PyTorch state dict (torch layouts, under `module.` as DataParallel saves it, plus num_batches_tracked) starts a
// run exactly where the checkpoint does (the same first loss), the report is printed and stored with the run; a
// checkpoint gives a report too; a file of which nothing matches is refused by name and stores no run.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { RunRecordSchema } from '../../../../shared/run'
import { TrainResultSchema, type TrainResult } from '../../../../shared/training'
import { cliRunner } from '../../../test-support/cli-harness'
import { readCheckpoint } from '../checkpoint'
import { layoutPermutation, permuteAxes } from './load-state-dict'
import { encodeSafetensors, f32Bytes, type TensorToWrite } from './weights-files.spec-helpers'

let root: string
let common: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-init-from-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})
const cli = cliRunner(() => common)
const tiny = ['--dataset', 'sample', '--depth', '1', '--base', '4', '--norm', 'batch', '--batch', '2', '--steps', '2', '--evaluate', 'none', '--seed', '3']

async function train(...args: string[]): Promise<{ out: string; result: TrainResult }> {
  const r = await cli('train', ...tiny, ...args)
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  const runs = RunRecordSchema.array().parse(JSON.parse((await cli('runs', '--json')).out))
  return { out: r.out, result: TrainResultSchema.parse(runs[0]?.result) }
}

/** The U-Net's variables in PyTorch's layouts (the inverse of each TorchLayout permutation). */
function asTorchStateDict(path: string, prefix: string): TensorToWrite[] {
  const ckpt = readCheckpoint(path)
  const tensors: TensorToWrite[] = []
  for (const [group, values] of [
    ['weight', ckpt.weights],
    ['state', ckpt.state],
  ] as const) {
    for (const [name, v] of values) {
      const shape = ckpt.header.tensors.find((t) => t.group === group && t.name === name)?.shape ?? []
      // Our U-Net's rank-4 variables are conv filters, its up-convs transposed ones: both the same permutation.
      const perm = layoutPermutation(shape.length === 4 ? 'conv' : 'same', shape.length) as number[]
      const inverse = perm.map((_, j) => perm.indexOf(j))
      tensors.push({ name: prefix + name, dtype: 'F32', shape: inverse.map((j) => shape[j] as number), data: new Uint8Array(permuteAxes(v, shape, inverse).buffer) })
    }
  }
  tensors.push({ name: `${prefix}down0.norm1.num_batches_tracked`, dtype: 'I64', shape: [], data: new Uint8Array(8) })
  return tensors
}

describe('workbench train --init-from', () => {
  it('a state dict in torch layouts under module. starts the run where the checkpoint does, and says so', async () => {
    const first = await train()
    const fromCheckpoint = await train('--init-from', first.result.checkpoint)
    expect(fromCheckpoint.result.initFrom).toMatchObject({ format: 'checkpoint', skipped: [], missing: [], mismatched: [] })
    expect(fromCheckpoint.result.initFrom?.loaded.length).toBeGreaterThan(10)

    const file = join(root, 'unet.safetensors')
    const tensors = asTorchStateDict(first.result.checkpoint, 'module.')
    writeFileSync(file, encodeSafetensors(tensors))
    const fromStateDict = await train('--init-from', file)
    const report = fromStateDict.result.initFrom
    expect(report).toMatchObject({ file, format: 'safetensors', prefix: { file: 'module.', ours: '' }, skipped: ['module.down0.norm1.num_batches_tracked'], missing: [], mismatched: [] })
    expect(report?.loaded).toEqual(fromCheckpoint.result.initFrom?.loaded)
    // The same weights and running statistics: the same first loss (same seed, same batches).
    expect(fromStateDict.result.curve[0]?.loss).toBe(fromCheckpoint.result.curve[0]?.loss)
    expect(fromStateDict.result.curve[0]?.loss).not.toBe(first.result.curve[0]?.loss)
    expect(fromStateDict.out).toContain(`init from ${file} (safetensors): loaded ${report?.loaded.length} of our ${report?.loaded.length} variables (the file's prefix 'module.' dropped)`)
    expect(fromStateDict.out).toContain('file keys not in the net, skipped (1): module.down0.norm1.num_batches_tracked')
  })

  it('refuses a file of which nothing matches, or that is not a weights file, naming it; no run is stored', async () => {
    const before = (await cli('runs', '--json')).out
    const foreign = join(root, 'resnet.safetensors')
    writeFileSync(foreign, encodeSafetensors([{ name: 'fc.weight', dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) }]))
    const text = join(root, 'notes.pth')
    writeFileSync(text, 'these are not weights')
    for (const [path, problem] of [
      [foreign, "no tensor name of the file matches the net's variables (file keys like 'fc.weight'"],
      [text, 'neither a safetensors file, a PyTorch zip'],
    ] as const) {
      const r = await cli('train', ...tiny, '--init-from', path)
      expect(r.code).toBe(1)
      expect(r.err).toContain(`${path}: `)
      expect(r.err).toContain(problem)
    }
    expect((await cli('runs', '--json')).out).toBe(before)
  })
})
