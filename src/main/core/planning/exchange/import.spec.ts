import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetDetail } from '../../../../shared/dataset'
import type { VoxelArray } from '../../../../shared/volume'
import { syntheticVolume } from '../../../test-support/volumes'
import { readLabelFile, writeNiftiFile, writeSlice } from '../../volume'
import { expectInputError, importedDataset, planOf, writeDatasetFolder } from './exchange.spec-helpers'
import { exportPlan } from './export'
import { readSparseAnnotations } from './import'

let root: string
let dataset: DatasetDetail
/** A good nnU-Net export of case_000 [1, 4] and case_002 [6]; each test works on its own copy. */
let exported: string
const dims: [number, number, number] = [12, 10, 8]
const ignore = 3

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-sparse-import-'))
  dataset = importedDataset(writeDatasetFolder(join(root, 'synth'), 4, dims), join(root, 'ws'), 'synth')
  exported = join(root, 'exported')
  exportPlan(planOf(dataset, { case_000: [1, 4], case_002: [6] }), dataset, 'nnunet', exported)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

let copies = 0
function copyOfExport(): string {
  const dir = join(root, `copy-${copies++}`)
  cpSync(exported, dir, { recursive: true })
  return dir
}

/** Rewrites the labelsTr file of a case in `dir` after `edit` changed its voxels. */
function editLabel(dir: string, caseId: string, edit: (data: VoxelArray) => void): string {
  const path = join(dir, 'labelsTr', `${caseId}.nii.gz`)
  const label = readLabelFile(path)
  edit(label.data)
  writeNiftiFile(path, label)
  return path
}

function editJson(dir: string, edit: (doc: Record<string, any>) => void): string {
  const path = join(dir, 'dataset.json')
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>
  edit(doc)
  writeFileSync(path, JSON.stringify(doc))
  return path
}

/** A slice-list folder: labels/<case>.nii.gz copied from the dataset, and the given slices.json content. */
function sliceListFolder(cases: string[], list: unknown): string {
  const dir = join(root, `list-${copies++}`)
  mkdirSync(join(dir, 'labels'), { recursive: true })
  for (const c of cases) {
    const record = dataset.volumeRecords.find((v) => v.caseId === c)!
    writeFileSync(join(dir, 'labels', `${c}.nii.gz`), readFileSync(record.labelPath))
  }
  writeFileSync(join(dir, 'slices.json'), typeof list === 'string' ? list : JSON.stringify(list))
  return dir
}

const sliceSize = dims[0] * dims[1]

describe('readSparseAnnotations: nnU-Net ignore-label folder', () => {
  it('accepts an unmodified export', () => {
    const read = readSparseAnnotations(copyOfExport(), dataset)
    expect(read.items.map((i) => [i.volume, i.slices])).toEqual([
      ['case_000', [1, 4]],
      ['case_002', [6]],
    ])
  })

  it('refuses a slice the ignore label covers only partly, naming the file and the slice', () => {
    const dir = copyOfExport()
    // Slice 2 of case_000 is ignored; un-ignore one voxel of it.
    const path = editLabel(dir, 'case_000', (d) => {
      d[2 * sliceSize + 5] = 0
    })
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /slice 2 \(along axis 2\) is partly annotated: 119 of its 120 voxels hold the ignore value 3/)
  })

  it('refuses a case that is not a volume of the dataset', () => {
    const dir = copyOfExport()
    renameSync(join(dir, 'labelsTr', 'case_002.nii.gz'), join(dir, 'labelsTr', 'case_999.nii.gz'))
    editJson(dir, (doc) => delete doc.workbench)
    expectInputError(() => readSparseAnnotations(dir, dataset), 'case_999.nii.gz', /case "case_999" is not a volume of dataset "synth"/)
  })

  it('refuses a label file whose shape disagrees with the dataset volume, naming both shapes', () => {
    const dir = copyOfExport()
    const path = join(dir, 'labelsTr', 'case_002.nii.gz')
    writeNiftiFile(path, syntheticVolume([12, 10, 7], new Uint8Array(12 * 10 * 7).fill(ignore)))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /has shape 12×10×7 but volume "case_002" of dataset "synth" has shape 12×10×8/)
  })

  it('refuses a non-integral label', () => {
    const dir = copyOfExport()
    const path = join(dir, 'labelsTr', 'case_000.nii.gz')
    const data = new Float32Array(12 * 10 * 8).fill(ignore)
    data.fill(1, sliceSize, 2 * sliceSize)
    data[sliceSize + 3] = 1.5
    writeNiftiFile(path, syntheticVolume(dims, data))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /has value 1\.5; labels must be finite integers/)
  })

  it('refuses a label value the dataset does not have on an annotated slice', () => {
    const dir = copyOfExport()
    const path = editLabel(dir, 'case_000', (d) => {
      d[4 * sliceSize] = 7
    })
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /slice 4 holds label value 7, which is not a label of dataset "synth" \(0, 1, 2\)/)
  })

  it('refuses a case with no annotated slice', () => {
    const dir = copyOfExport()
    const path = editLabel(dir, 'case_002', (d) => d.fill(ignore))
    editJson(dir, (doc) => delete doc.workbench)
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /has no annotated slice: every voxel holds the ignore value 3/)
  })

  it('refuses a dataset.json without an ignore label (and no slice list)', () => {
    const dir = copyOfExport()
    const path = editJson(dir, (doc) => delete doc.labels.ignore)
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /declares no "ignore" label \(labels\.ignore\)/)
  })

  it('refuses an ignore value that is not a whole number, or that is one of the dataset labels', () => {
    const dir = copyOfExport()
    const path = editJson(dir, (doc) => (doc.labels.ignore = 'x'))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /labels\.ignore is "x"; it must be a whole number ≥ 1/)
    editJson(dir, (doc) => (doc.labels.ignore = 2))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /labels\.ignore is 2, which is a label value of dataset "synth"/)
  })

  it('cross-checks against the export record: other slices, a missing case, another dataset', () => {
    const dir = copyOfExport()
    // Annotate slice 0 of case_000 too (whole slice, so the file itself is valid).
    const path = editLabel(dir, 'case_000', (d) => writeSlice(dims, d, 2, 0, new Uint8Array(sliceSize)))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /has annotated slices \[0, 1, 4\] but the export of plan 7 recorded \[1, 4\] for case "case_000"/)

    const dir2 = copyOfExport()
    rmSync(join(dir2, 'labelsTr', 'case_002.nii.gz'))
    expectInputError(() => readSparseAnnotations(dir2, dataset), join(dir2, 'labelsTr'), /has no file for case\(s\) case_002, which the export of plan 7 holds/)

    const dir3 = copyOfExport()
    const json = editJson(dir3, (doc) => (doc.workbench.dataset = 'elsewhere'))
    expectInputError(() => readSparseAnnotations(dir3, dataset), json, /was exported from dataset "elsewhere", not "synth"/)

    const dir4 = copyOfExport()
    const json4 = editJson(dir4, (doc) => (doc.workbench.cases = 'nope'))
    expectInputError(() => readSparseAnnotations(dir4, dataset), json4, /"workbench" block is malformed at cases/)
  })

  it('refuses a folder that is neither form, or does not exist', () => {
    const empty = join(root, 'empty')
    mkdirSync(empty)
    expectInputError(() => readSparseAnnotations(empty, dataset), empty, /is not a sparse annotation folder/)
    expectInputError(() => readSparseAnnotations(join(root, 'absent'), dataset), 'absent', /does not exist/)
    const noLabels = copyOfExport()
    rmSync(join(noLabels, 'labelsTr'), { recursive: true })
    expectInputError(() => readSparseAnnotations(noLabels, dataset), join(noLabels, 'labelsTr'), /does not exist/)
  })
})

describe('readSparseAnnotations: masks plus a slice list', () => {
  it('refuses a slice index outside the volume, naming the case and the index', () => {
    const dir = sliceListFolder(['case_001'], { case_001: [2, 8] })
    expectInputError(() => readSparseAnnotations(dir, dataset), join(dir, 'slices.json'), /case "case_001": slice index 8 is outside 0\.\.7 \(8 slices along axis 2\)/)
    const neg = sliceListFolder(['case_001'], { case_001: [-1] })
    expectInputError(() => readSparseAnnotations(neg, dataset), 'slices.json', /case "case_001": slice index -1 is outside 0\.\.7/)
  })

  it('refuses a case not in the dataset, a listed case without a mask, and a mask without slices', () => {
    const stranger = sliceListFolder(['case_001'], { case_001: [1] })
    writeFileSync(join(stranger, 'labels', 'zz.nii.gz'), readFileSync(join(stranger, 'labels', 'case_001.nii.gz')))
    writeFileSync(join(stranger, 'slices.json'), JSON.stringify({ case_001: [1], zz: [1] }))
    expectInputError(() => readSparseAnnotations(stranger, dataset), join('labels', 'zz.nii.gz'), /case "zz" is not a volume of dataset "synth"/)

    const noMask = sliceListFolder(['case_001'], { case_001: [1], case_003: [2] })
    expectInputError(() => readSparseAnnotations(noMask, dataset), 'slices.json', /lists case "case_003" but .* has no case_003\.nii\.gz/)

    const unlisted = sliceListFolder(['case_001', 'case_002'], { case_001: [1], case_002: [] })
    expectInputError(() => readSparseAnnotations(unlisted, dataset), join('labels', 'case_002.nii.gz'), /has no annotated slice: .* lists none for case "case_002"/)
  })

  it('refuses a mask whose shape disagrees with the dataset volume', () => {
    const dir = sliceListFolder([], { case_001: [1] })
    const path = join(dir, 'labels', 'case_001.nii.gz')
    writeNiftiFile(path, syntheticVolume([10, 12, 8], new Uint8Array(960)))
    expectInputError(() => readSparseAnnotations(dir, dataset), path, /has shape 10×12×8 but volume "case_001" of dataset "synth" has shape 12×10×8/)
  })

  it('refuses malformed slice lists', () => {
    const notJson = sliceListFolder(['case_001'], '{ case_001: [1')
    expectInputError(() => readSparseAnnotations(notJson, dataset), 'slices.json', /is not valid JSON/)
    const frac = sliceListFolder(['case_001'], { case_001: [1.5] })
    expectInputError(() => readSparseAnnotations(frac, dataset), 'slices.json', /case "case_001": slice index 1\.5 is not a whole number/)
    const notArray = sliceListFolder(['case_001'], { case_001: 3 })
    expectInputError(() => readSparseAnnotations(notArray, dataset), 'slices.json', /case "case_001": expected an array of slice indices/)
    const arrayDoc = sliceListFolder(['case_001'], [1, 2])
    expectInputError(() => readSparseAnnotations(arrayDoc, dataset), 'slices.json', /expected an object mapping case ids/)

    const csv = sliceListFolder(['case_001'], {})
    rmSync(join(csv, 'slices.json'))
    writeFileSync(join(csv, 'slices.csv'), 'case_id,slice_index\ncase_001,two\n')
    expectInputError(() => readSparseAnnotations(csv, dataset), 'slices.csv', /line 2: slice index "two" of case "case_001" is not a whole number/)
    writeFileSync(join(csv, 'slices.csv'), 'case_id,slice\ncase_001,1\n')
    expectInputError(() => readSparseAnnotations(csv, dataset), 'slices.csv', /header has case_id but no slice_index column/)
    writeFileSync(join(csv, 'slices.csv'), 'case_id,slice_index\n"case_001,1\n')
    expectInputError(() => readSparseAnnotations(csv, dataset), 'slices.csv', /line 2: a quoted field is never closed/)
    writeFileSync(join(csv, 'slices.json'), '{}')
    expectInputError(() => readSparseAnnotations(csv, dataset), csv, /holds both slices\.json and slices\.csv/)
  })

  it('uses only the listed slices of a dense mask, whatever the other slices hold', () => {
    const dir = sliceListFolder([], { case_001: [3] })
    const data = new Uint8Array(12 * 10 * 8).fill(9) // 9 is no label of the dataset, but only slice 3 counts
    data.fill(1, 3 * sliceSize, 4 * sliceSize)
    writeNiftiFile(join(dir, 'labels', 'case_001.nii.gz'), syntheticVolume(dims, data))
    const [item] = readSparseAnnotations(dir, dataset).items
    expect(item!.slices).toEqual([3])
    const mask = Array.from(item!.mask.data)
    expect(mask.filter((v) => v === 1)).toHaveLength(sliceSize)
    expect(mask.filter((v) => v !== 0 && v !== 1)).toHaveLength(0)
  })
})
