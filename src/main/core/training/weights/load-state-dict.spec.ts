// The mapping of a state dict onto a net: layout permutations against hand-computed transposes, the prefix
// pairing (a file with or without `backbone.`, under `module.` or `state_dict.`), the report (loaded, skipped,
// missing, shape mismatches named with both shapes, dtype conversions), and the refusal of a file of which nothing
// fits, which leaves the net as it was. (The layouts against a real torch forward: twin-parity.spec.ts.)
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../../shared/errors'
import { createRng } from '../../random/rng'
import { NetParams } from '../models/params'
import type { FileTensor, StateDictFile } from './file-tensor'
import { choosePrefixPairing, layoutPermutation, loadStateDictInto, permuteAxes, planStateDictLoad, type TargetVariable } from './load-state-dict'

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true)
})

const SRC = '/weights/encoder.safetensors'
const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i)
const tensor = (shape: number[], dtype: FileTensor['dtype'] = 'F32'): FileTensor => ({ dtype, shape, values: iota(shape.reduce((a, b) => a * b, 1)) })
const stateDict = (entries: [string, FileTensor][]): StateDictFile => ({ format: 'safetensors', tensors: new Map(entries) })

describe('layouts', () => {
  it('turns a torch conv [out, in, kh, kw] into ours [kh, kw, in, out] element by element', () => {
    const [o, i, h, w] = [3, 2, 2, 4]
    const ours = permuteAxes(iota(o * i * h * w), [o, i, h, w], layoutPermutation('conv', 4) as number[])
    for (let a = 0; a < o; a++)
      for (let b = 0; b < i; b++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) expect(ours[((y * w + x) * i + b) * o + a]).toBe(((a * i + b) * h + y) * w + x)
  })

  it('has the permutation of each layout for each rank it takes, and none for a rank it does not', () => {
    expect(layoutPermutation('conv', 5)).toEqual([2, 3, 4, 1, 0])
    expect(layoutPermutation('conv-transpose', 4)).toEqual([2, 3, 1, 0])
    expect(layoutPermutation('depthwise', 4)).toEqual([2, 3, 0, 1])
    expect(layoutPermutation('depthwise', 5)).toEqual([2, 3, 4, 0, 1])
    expect(layoutPermutation('linear', 2)).toEqual([1, 0])
    expect(layoutPermutation('same', 3)).toEqual([0, 1, 2])
    expect(layoutPermutation('linear', 4)).toBeNull()
    expect(layoutPermutation('conv', 2)).toBeNull()
  })

  it('transposes a linear [out, in] into ours [in, out]', () => {
    expect(Array.from(permuteAxes(iota(6), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5])
  })
})

describe('choosePrefixPairing', () => {
  const ours = ['backbone.patch_embed1.proj.weight', 'backbone.block1.0.attn.q.weight', 'backbone.norm1.weight', 'decode_head.linear_pred.weight']
  it('pairs keys without our backbone. prefix, under module. or state_dict., or equal', () => {
    const bare = ['patch_embed1.proj.weight', 'block1.0.attn.q.weight', 'norm1.weight', 'head.weight']
    expect(choosePrefixPairing(bare, ours)).toEqual({ file: '', ours: 'backbone.', matches: 3 })
    expect(choosePrefixPairing(bare.map((k) => `module.${k}`), ours)).toEqual({ file: 'module.', ours: 'backbone.', matches: 3 })
    expect(choosePrefixPairing(ours.map((k) => `state_dict.${k}`), ours)).toEqual({ file: 'state_dict.', ours: '', matches: 4 })
    expect(choosePrefixPairing(ours, ours)).toEqual({ file: '', ours: '', matches: 4 })
    expect(choosePrefixPairing(['model.encoder.norm1.weight', 'model.encoder.block1.0.attn.q.weight'], ours)).toEqual({ file: 'model.encoder.', ours: 'backbone.', matches: 2 })
  })
  it('never pairs on a bare leaf: head.weight is not backbone.norm1.weight', () => {
    expect(choosePrefixPairing(['head.weight'], ours).matches).toBe(0)
    expect(choosePrefixPairing(['fc.weight', 'fc.bias'], ['norm.weight', 'norm.bias']).matches).toBe(0)
  })

  it("maps top-level names (a ViT's cls_token) by the pairing the module paths chose", () => {
    const targets: TargetVariable[] = ['backbone.cls_token', 'backbone.blocks.0.attn.qkv.weight'].map((name) => ({ name, shape: [2], layout: 'same' }))
    const file = stateDict([
      ['cls_token', tensor([2])],
      ['blocks.0.attn.qkv.weight', tensor([2])],
    ])
    expect(planStateDictLoad(targets, file, SRC).report.loaded).toEqual(['backbone.cls_token', 'backbone.blocks.0.attn.qkv.weight'])
  })
})

describe('planStateDictLoad', () => {
  const targets: TargetVariable[] = [
    { name: 'backbone.stem.weight', shape: [3, 3, 2, 4], layout: 'conv' },
    { name: 'backbone.fc.weight', shape: [4, 5], layout: 'linear' },
    { name: 'backbone.norm.weight', shape: [4], layout: 'same' },
    { name: 'backbone.norm.running_mean', shape: [4], layout: 'same' },
    { name: 'decode_head.conv.weight', shape: [1, 1, 4, 2], layout: 'conv' },
  ]

  it('loads by name in our layout and reports skipped, missing, mismatched and converted', () => {
    const file = stateDict([
      ['stem.weight', tensor([4, 2, 3, 3])],
      ['fc.weight', tensor([5, 3], 'F16')],
      ['norm.weight', tensor([4], 'BF16')],
      ['norm.running_mean', tensor([4], 'F64')],
      ['norm.num_batches_tracked', tensor([], 'I64')],
      ['head.weight', tensor([1000, 4])],
    ])
    const { values, report } = planStateDictLoad(targets, file, SRC)
    expect(report).toEqual({
      file: SRC,
      format: 'safetensors',
      prefix: { file: '', ours: 'backbone.' },
      loaded: ['backbone.stem.weight', 'backbone.norm.weight', 'backbone.norm.running_mean'],
      skipped: ['norm.num_batches_tracked', 'head.weight'],
      missing: ['decode_head.conv.weight'],
      mismatched: [{ name: 'backbone.fc.weight', fileKey: 'fc.weight', fileShape: [5, 3], ourShape: [4, 5] }],
      converted: { BF16: 1, F64: 1 },
    })
    expect(values.get('backbone.stem.weight')?.[1]).toBe(2 * 9) // ours [0,0,0,1] = torch [1,0,0,0]
    expect([...values.keys()]).not.toContain('backbone.fc.weight')
  })

  it('refuses a file of which no name matches, or every match has another shape', () => {
    expect(() => planStateDictLoad(targets, stateDict([['fc1.bias', tensor([3])]]), SRC)).toThrow(/no tensor name of the file matches the net's variables \(file keys like 'fc1.bias', ours like 'backbone.stem.weight'\)/)
    expect(() => planStateDictLoad(targets, stateDict([['stem.weight', tensor([4, 2, 5, 5])]]), SRC)).toThrow(
      /no tensor of the file fits the net: 1 names match but every shape differs \(e.g. 'stem.weight' \[4, 2, 5, 5\], ours 'backbone.stem.weight' \[3, 3, 2, 4\]\)/,
    )
  })
})

describe('loadStateDictInto', () => {
  function toyNet(): NetParams {
    const p = new NetParams(createRng(3))
    p.uniform('conv.weight', [1, 1, 2, 3], 2, 'conv')
    p.uniform('conv.bias', [3], 2)
    p.stateFilled('bn.running_var', [3], 1)
    return p
  }

  it('assigns the loaded variables and keeps the others at their init', () => {
    const p = toyNet()
    const biasBefore = Array.from(p.weights.get('conv.bias')?.dataSync() ?? [])
    const report = loadStateDictInto(p, stateDict([['conv.weight', tensor([3, 2, 1, 1])], ['bn.running_var', { dtype: 'F32', shape: [3], values: Float32Array.from([4, 5, 6]) }]]), SRC)
    expect(report.loaded).toEqual(['conv.weight', 'bn.running_var'])
    expect(report.missing).toEqual(['conv.bias'])
    expect(Array.from(p.weights.get('conv.weight')?.dataSync() ?? [])).toEqual([0, 2, 4, 1, 3, 5])
    expect(Array.from(p.state.get('bn.running_var')?.dataSync() ?? [])).toEqual([4, 5, 6])
    expect(Array.from(p.weights.get('conv.bias')?.dataSync() ?? [])).toEqual(biasBefore)
    p.dispose()
  })

  it('leaves every variable as it was when it refuses the file', () => {
    const p = toyNet()
    const before = [...p.weights.values()].map((v) => Array.from(v.dataSync()))
    expect(() => loadStateDictInto(p, stateDict([['conv.weight', tensor([3, 2, 2, 2])]]), SRC)).toThrow(InputError)
    expect([...p.weights.values()].map((v) => Array.from(v.dataSync()))).toEqual(before)
    p.dispose()
  })
})
