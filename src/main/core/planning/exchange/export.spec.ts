import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DatasetDetail, VolumeRecord } from '../../../../shared/dataset'
import { parseCsv } from './csv'
import { expectInputError, planOf } from './exchange.spec-helpers'
import { exportPlan } from './export'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-export-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function record(id: number, caseId: string, dims: [number, number, number], sliceAxis: 0 | 1 | 2, imagePath: string): VolumeRecord {
  return {
    id,
    caseId,
    imagePath,
    labelPath: `/data/labels/${caseId}.nii.gz`,
    dims,
    spacing: [1, 1, 1],
    sliceAxis,
    imageDtype: 'float32',
    labelVoxels: { '0': 10, '1': 5 },
    foregroundSlices: 3,
    subset: 'train',
  }
}

/** A dataset that exists only in memory: CSV and JSON exports read no volume. */
const handBuilt: DatasetDetail = {
  id: 1,
  name: 'hand',
  layout: 'paired',
  sourceDir: '/data',
  createdAt: '2025-01-01T00:00:00.000Z',
  volumes: 3,
  split: { train: 3, val: 0, test: 0 },
  splitSeed: 0,
  labels: { '0': 'background', '1': 'organ' },
  description: '',
  volumeRecords: [
    record(10, 'a', [4, 5, 6], 2, '/data/images/a.nii.gz'),
    record(11, 'b', [9, 5, 6], 0, '/data/images, with "comma"/b.nii.gz'),
    record(12, 'c', [4, 5, 6], 2, '/data/images/c.nii.gz'),
  ],
}

describe('exportPlan csv', () => {
  it('writes one row per annotated slice with the header, quoting fields that need it', () => {
    const plan = planOf(handBuilt, { a: [4, 1], b: [0, 8] })
    const out = join(root, 'out')
    const { files } = exportPlan(plan, handBuilt, 'csv', out)
    expect(files).toEqual([join(out, 'slices.csv')])
    const text = readFileSync(join(out, 'slices.csv'), 'utf8')
    expect(text.split('\n')[0]).toBe('case_id,image_path,slice_axis,slice_index,slice_count')
    expect(text).toContain('b,"/data/images, with ""comma""/b.nii.gz",0,0,9\n')
    const parsed = parseCsv(text)
    if (!('rows' in parsed)) throw new Error('unparsable')
    expect(parsed.rows.map((r) => r.fields)).toEqual([
      ['case_id', 'image_path', 'slice_axis', 'slice_index', 'slice_count'],
      ['a', '/data/images/a.nii.gz', '2', '1', '6'],
      ['a', '/data/images/a.nii.gz', '2', '4', '6'],
      ['b', '/data/images, with "comma"/b.nii.gz', '0', '0', '9'],
      ['b', '/data/images, with "comma"/b.nii.gz', '0', '8', '9'],
    ])
    // Nothing else is left beside the output folder (the staging folder was renamed).
    expect(readdirSync(root)).toEqual(['out'])
  })
})

describe('exportPlan json', () => {
  it('writes the plan facts and per-volume slice lists', () => {
    const plan = planOf(handBuilt, { c: [5, 0, 2], a: [3] })
    const out = join(root, 'j')
    exportPlan(plan, handBuilt, 'json', out)
    const doc = JSON.parse(readFileSync(join(out, 'slices.json'), 'utf8')) as Record<string, unknown>
    expect(doc.plan).toEqual({
      planId: 7,
      dataset: 'hand',
      density: 0.25,
      volumes: 0.5,
      method: 'random',
      features: null,
      rule: null,
      scope: 'volume',
      subsetMode: 'nested',
      seed: 11,
      source: 'generated',
      request: null,
      totalSlices: 4,
      perVolumeCountsDiffer: false,
      createdAt: '2025-01-01T00:00:00.000Z',
    })
    expect(doc.items).toEqual([
      { volume: 'c', imagePath: '/data/images/c.nii.gz', sliceAxis: 2, sliceCount: 6, slices: [0, 2, 5] },
      { volume: 'a', imagePath: '/data/images/a.nii.gz', sliceAxis: 2, sliceCount: 6, slices: [3] },
    ])
  })

  it('exports into an existing empty folder', () => {
    const out = join(root, 'empty')
    mkdirSync(out)
    exportPlan(planOf(handBuilt, { a: [0] }), handBuilt, 'json', out)
    expect(readdirSync(out)).toEqual(['slices.json'])
  })
})

describe('exportPlan refuses bad input and leaves nothing behind', () => {
  it('refuses a non-empty output folder', () => {
    const out = join(root, 'full')
    mkdirSync(out)
    writeFileSync(join(out, 'keep.txt'), 'mine')
    expectInputError(() => exportPlan(planOf(handBuilt, { a: [0] }), handBuilt, 'csv', out), out, /not empty; choose another --out or remove it/)
    expect(readdirSync(out)).toEqual(['keep.txt'])
    expect(readdirSync(root)).toEqual(['full'])
  })

  it('refuses an output path that is a file', () => {
    const out = join(root, 'file')
    writeFileSync(out, '')
    expectInputError(() => exportPlan(planOf(handBuilt, { a: [0] }), handBuilt, 'json', out), out, /not a folder; choose another --out/)
  })

  it('refuses a plan of another dataset, a volume not in the dataset, and slices out of range', () => {
    const out = join(root, 'x')
    const plan = planOf(handBuilt, { a: [0] })
    expectInputError(() => exportPlan({ ...plan, dataset: 'other' }, handBuilt, 'csv', out), 'plan 7', /belongs to dataset "other", not "hand"/)
    const stranger = { ...plan, items: [{ volumeId: 99, volume: 'zz', sliceAxis: 2 as const, sliceCount: 6, slices: [1] }] }
    expectInputError(() => exportPlan(stranger, handBuilt, 'csv', out), 'plan 7', /volume "zz" is not in dataset "hand"/)
    const outside = planOf(handBuilt, { a: [6] })
    expectInputError(() => exportPlan(outside, handBuilt, 'json', out), 'plan 7', /volume "a": slice 6 is outside 0\.\.5/)
    const wrongCount = { ...plan, items: [{ ...plan.items[0]!, sliceCount: 9 }] }
    expectInputError(() => exportPlan(wrongCount, handBuilt, 'csv', out), 'plan 7', /plan says 9 slices along axis 2, the dataset has 6 along axis 2/)
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(root)).toEqual([])
  })

  it('removes its staging folder when the nnU-Net export fails midway (an image file is missing)', () => {
    const out = join(root, 'nn')
    // handBuilt's files do not exist: reading the first image fails after the staging folder was made.
    expectInputError(() => exportPlan(planOf(handBuilt, { a: [0] }), handBuilt, 'nnunet', out), '/data/images/a.nii.gz', /image file not found/)
    expect(readdirSync(root)).toEqual([])
  })
})
