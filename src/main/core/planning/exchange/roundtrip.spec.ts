import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetDetail } from '../../../../shared/dataset'
import type { Plan } from '../../../../shared/plan'
import { sampleDataDir } from '../../../test-support/shared-data'
import { extractSlice, readImageFile, readLabelFile } from '../../volume'
import { importedDataset, planOf, writeDatasetFolder } from './exchange.spec-helpers'
import { exportPlan } from './export'
import { readSparseAnnotations, writeSparseMasks } from './import'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-exchange-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Checks the nnU-Net export of `plan` file by file, then that importing it gives the plan's slices and labels back. */
function checkRoundTrip(plan: Plan, dataset: DatasetDetail, out: string, ignore: number): void {
  const { files } = exportPlan(plan, dataset, 'nnunet', out)
  const cases = plan.items.map((i) => i.volume).sort()
  expect(readdirSync(join(out, 'labelsTr')).sort()).toEqual(cases.map((c) => `${c}.nii.gz`))
  expect(readdirSync(join(out, 'imagesTr')).sort()).toEqual(cases.map((c) => `${c}_0000.nii.gz`))
  expect(files).toHaveLength(2 * cases.length + 1)
  for (const f of files) expect(existsSync(f)).toBe(true)

  const meta = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as Record<string, unknown>
  expect(meta).toMatchObject({ numTraining: cases.length, file_ending: '.nii.gz' })
  expect((meta.labels as Record<string, number>).ignore).toBe(ignore)
  expect(meta.workbench).toMatchObject({ planId: plan.planId, dataset: plan.dataset, density: plan.density, volumes: plan.volumes, method: plan.method, seed: plan.seed })

  for (const item of plan.items) {
    const record = dataset.volumeRecords.find((v) => v.caseId === item.volume)!
    const dense = readLabelFile(record.labelPath)
    const sparse = readLabelFile(join(out, 'labelsTr', `${item.volume}.nii.gz`))
    // Same grid as the dataset's label: dims, spacing and affine.
    expect(sparse.header.dims).toEqual(dense.header.dims)
    expect(sparse.header.spacing).toEqual(dense.header.spacing)
    sparse.header.affine.forEach((a, n) => expect(a).toBeCloseTo(dense.header.affine[n]!, 5))
    expect(sparse.header.sliceAxis).toBe(record.sliceAxis)
    // The image is a plain copy (not a link) with the same voxels.
    const imageCopy = join(out, 'imagesTr', `${item.volume}_0000.nii.gz`)
    expect(lstatSync(imageCopy).isSymbolicLink()).toBe(false)
    expect(Array.from(readImageFile(imageCopy).data)).toEqual(Array.from(readImageFile(record.imagePath).data))
    const axis = record.sliceAxis
    for (let s = 0; s < record.dims[axis]; s++) {
      const got = Array.from(extractSlice(record.dims, sparse.data, axis, s))
      if (item.slices.includes(s)) expect(got).toEqual(Array.from(extractSlice(record.dims, dense.data, axis, s)))
      else expect(got.every((v) => v === ignore)).toBe(true)
    }
  }

  const read = readSparseAnnotations(out, dataset)
  expect(read.source).toBe('nnunet')
  expect(read.ignoreValue).toBe(ignore)
  expect(read.exportedFrom).toEqual({ planId: plan.planId, dataset: plan.dataset, density: plan.density, volumes: plan.volumes, method: plan.method, seed: plan.seed })
  expect(read.items.map((i) => i.volume)).toEqual(cases)
  for (const got of read.items) {
    const item = plan.items.find((i) => i.volume === got.volume)!
    expect(got).toMatchObject({ volumeId: item.volumeId, sliceAxis: item.sliceAxis, sliceCount: item.sliceCount, slices: [...item.slices].sort((a, b) => a - b) })
    const record = dataset.volumeRecords.find((v) => v.caseId === got.volume)!
    const dense = readLabelFile(record.labelPath)
    for (let s = 0; s < record.dims[record.sliceAxis]; s++) {
      const mask = Array.from(extractSlice(record.dims, got.mask.data, record.sliceAxis, s))
      if (got.slices.includes(s)) expect(mask).toEqual(Array.from(extractSlice(record.dims, dense.data, record.sliceAxis, s)))
      else expect(mask.every((v) => v === 0)).toBe(true)
    }
  }
}

describe('nnU-Net ignore-label export and import back (synthetic)', () => {
  let dataset: DatasetDetail
  beforeAll(() => {
    dataset = importedDataset(writeDatasetFolder(join(root, 'synth'), 5, [12, 10, 8]), join(root, 'ws'), 'synth')
  })

  it('exports the selected volumes only, with dense labels on the plan slices and the ignore value elsewhere', () => {
    const plan = planOf(dataset, { case_001: [1, 4, 6], case_003: [3], case_004: [0, 7] })
    checkRoundTrip(plan, dataset, join(root, 'nn-synth'), 3)
    const meta = JSON.parse(readFileSync(join(root, 'nn-synth', 'dataset.json'), 'utf8')) as Record<string, unknown>
    // No names in a paired dataset without dataset.json: "background" and label_N, consecutive values.
    expect(meta.labels).toEqual({ background: 0, label_1: 1, label_2: 2, ignore: 3 })
    expect(meta.channel_names).toEqual({ '0': 'image' })
    expect((meta.workbench as { cases: unknown }).cases).toEqual({
      case_001: { sliceAxis: 2, sliceCount: 8, slices: [1, 4, 6] },
      case_003: { sliceAxis: 2, sliceCount: 8, slices: [3] },
      case_004: { sliceAxis: 2, sliceCount: 8, slices: [0, 7] },
    })
  })

  it('writes the imported masks as <case>.nii.gz and they read back equal', () => {
    const plan = planOf(dataset, { case_000: [2, 5] })
    const out = join(root, 'nn-masks')
    exportPlan(plan, dataset, 'nnunet', out)
    const read = readSparseAnnotations(out, dataset)
    const paths = writeSparseMasks(read.items, join(root, 'masks', 'plan-1'))
    expect(paths).toEqual([join(root, 'masks', 'plan-1', 'case_000.nii.gz')])
    const mask = readLabelFile(paths[0]!)
    expect(Array.from(mask.data)).toEqual(Array.from(read.items[0]!.mask.data))
    expect(mask.header.dims).toEqual([12, 10, 8])
  })

  it('re-exports an imported plan from its masks (maskPath), not from the dense labels', () => {
    const out = join(root, 'nn-first')
    exportPlan(planOf(dataset, { case_002: [3, 4] }), dataset, 'nnunet', out)
    const read = readSparseAnnotations(out, dataset)
    const [maskPath] = writeSparseMasks(read.items, join(root, 'masks', 'plan-2'))
    const imported = planOf(dataset, { case_002: [3, 4] }, 8)
    imported.items[0]!.maskPath = maskPath
    checkRoundTrip(imported, dataset, join(root, 'nn-again'), 3)
  })

  it('follows a slice axis other than 2', () => {
    const axis0 = importedDataset(writeDatasetFolder(join(root, 'axis0'), 2, [9, 10, 8], true), join(root, 'ws0'), 'axis0')
    expect(axis0.volumeRecords[0]!.sliceAxis).toBe(0)
    const plan = planOf(axis0, { case_000: [0, 4, 8], case_001: [2] })
    expect(plan.items[0]!.sliceCount).toBe(9)
    checkRoundTrip(plan, axis0, join(root, 'nn-axis0'), 3)
  })

  it('reads the CSV and JSON exports back as slice lists beside the masks', () => {
    const plan = planOf(dataset, { case_001: [2, 6], case_002: [5] })
    const nn = join(root, 'nn-for-lists')
    exportPlan(plan, dataset, 'nnunet', nn)
    for (const format of ['csv', 'json'] as const) {
      const out = join(root, `list-${format}`)
      exportPlan(plan, dataset, format, out)
      // An annotator sends back full masks (here the dense labels) under labels/ plus the exported list.
      mkdirSync(join(out, 'labels'))
      for (const item of plan.items) {
        const record = dataset.volumeRecords.find((v) => v.caseId === item.volume)!
        writeFileSync(join(out, 'labels', `${item.volume}.nii.gz`), readFileSync(record.labelPath))
      }
      const fromList = readSparseAnnotations(out, dataset)
      const fromNn = readSparseAnnotations(nn, dataset)
      expect(fromList.source).toBe('slice-list')
      expect(fromList.ignoreValue).toBeNull()
      expect(fromList.items.map((i) => [i.volume, i.slices])).toEqual([
        ['case_001', [2, 6]],
        ['case_002', [5]],
      ])
      fromList.items.forEach((item, n) => expect(Array.from(item.mask.data)).toEqual(Array.from(fromNn.items[n]!.mask.data)))
    }
  })

  it('reads a hand-written slices.json / headerless slices.csv with labelsTr/', () => {
    const out = join(root, 'hand-list')
    mkdirSync(join(out, 'labelsTr'), { recursive: true })
    const record = dataset.volumeRecords.find((v) => v.caseId === 'case_003')!
    writeFileSync(join(out, 'labelsTr', 'case_003.nii.gz'), readFileSync(record.labelPath))
    writeFileSync(join(out, 'slices.json'), JSON.stringify({ case_003: [7, 1, 1] }))
    expect(readSparseAnnotations(out, dataset).items[0]).toMatchObject({ volume: 'case_003', slices: [1, 7], sliceCount: 8, volumeId: record.id })
    renameSync(join(out, 'slices.json'), join(out, 'ignored.json'))
    writeFileSync(join(out, 'slices.csv'), 'case_003,4\r\ncase_003, 2\r\n\r\n')
    expect(readSparseAnnotations(out, dataset).items[0]!.slices).toEqual([2, 4])
  })
})

describe('nnU-Net ignore-label export and import back (bundled real sample)', () => {
  it('round-trips a few hippocampus volumes with their named labels', () => {
    const sample = importedDataset(sampleDataDir, join(root, 'ws-sample'), 'sample')
    const picked = sample.volumeRecords.slice(0, 3)
    const picks: Record<string, number[]> = {}
    picked.forEach((v, n) => {
      const count = v.dims[v.sliceAxis]
      picks[v.caseId] = [n, Math.floor(count / 2), count - 1 - n]
    })
    const plan = planOf(sample, picks)
    const out = join(root, 'nn-sample')
    checkRoundTrip(plan, sample, out, 3)
    const meta = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as Record<string, unknown>
    expect(meta.labels).toEqual({ background: 0, Anterior: 1, Posterior: 2, ignore: 3 })
    expect(meta.channel_names).toEqual({ '0': 'MRI' })
  })
})
