// Importing folders of 4D images, .hdr/.img pairs and Analyze 7.5: which frame is taken, that the rows' files give
// that frame to every later reader, what the summary says, and what is recorded.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { openDatabase, type Db } from '../store/database'
import { getDataset, listDatasets } from '../store/datasets-repo'
import { buildTestNifti, buildTestPair } from '../volume/nifti.spec-helpers'
import { readImageFile, readLabelFile } from '../volume'
import { importDataset } from './import'

let root: string
let db: Db
let workspace: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-import-frames-'))
  workspace = join(root, 'workspace')
  db = openDatabase(join(root, 'w.db'))
})
afterEach(() => db.close())

const shape: [number, number, number] = [4, 3, 2]
const voxels = 24

/** `frames` 4×3×2 frames of float32, frame f holding 100·f + voxel index. */
function frames(count: number): Float32Array {
  return Float32Array.from({ length: voxels * count }, (_, n) => 100 * Math.floor(n / voxels) + (n % voxels))
}

const mask = Uint8Array.from({ length: voxels }, (_, n) => (n % 5 === 0 ? 1 : 0))

/**
 * images/ + labels/: case_a a gzipped 4D NIfTI (3 frames) with a 3D label; case_b an Analyze 7.5 4D pair
 * (3 frames) with a NIfTI-1 pair label.
 */
function writeFolder(): string {
  const folder = join(root, 'ds')
  mkdirSync(join(folder, 'images'), { recursive: true })
  mkdirSync(join(folder, 'labels'), { recursive: true })
  writeFileSync(join(folder, 'images', 'case_a.nii.gz'), buildTestNifti(frames(3), { dim: [4, ...shape, 3, 1, 1, 1], gzip: true }))
  writeFileSync(join(folder, 'labels', 'case_a.nii.gz'), buildTestNifti(mask, { shape }))
  const analyze = buildTestPair(frames(3), { analyze: true, dim: [4, ...shape, 3, 1, 1, 1] })
  writeFileSync(join(folder, 'images', 'case_b.hdr'), analyze.header)
  writeFileSync(join(folder, 'images', 'case_b.img'), analyze.image)
  const label = buildTestPair(mask, { shape })
  writeFileSync(join(folder, 'labels', 'case_b.hdr'), label.header)
  writeFileSync(join(folder, 'labels', 'case_b.img'), label.image)
  return folder
}

const recorded = (name: string): unknown =>
  JSON.parse((db.prepare('SELECT preprocessing_json AS p FROM datasets WHERE name = ?').get(name) as { p: string }).p)

describe('import of 4D images, pairs and Analyze 7.5', () => {
  it('takes frame 0 by default, says so, and leaves the rows on the source files (which give frame 0)', () => {
    const summary = importDataset({ db, workspace }, { folder: writeFolder(), name: 'ts', split: { train: 1, val: 0, test: 0 } })
    expect(summary.readNotes).toEqual([
      'read frame 0 of 3 in 2 volumes with several frames (--frame N picks another)',
      '1 volume in Analyze 7.5 format: orientation from the voxel sizes, x flipped and centred, as nibabel reads it',
    ])
    const detail = getDataset(db, 'ts')
    expect(detail?.volumeRecords.map((v) => [v.caseId, v.dims, v.imagePath.endsWith('.nii.gz') || v.imagePath.endsWith('.hdr')])).toEqual([
      ['case_a', shape, true],
      ['case_b', shape, true],
    ])
    for (const v of detail?.volumeRecords ?? []) {
      expect(Array.from(readImageFile(v.imagePath).data).slice(0, 3)).toEqual([0, 1, 2])
      expect(Object.keys(v.labelVoxels)).toEqual(['0', '1'])
    }
    expect(recorded('ts')).toEqual({})
  })

  it('takes the frame asked for, writes it out as 3D files for later readers, and records the choice', () => {
    const summary = importDataset({ db, workspace }, { folder: writeFolder(), name: 'f2', preprocessing: { frame: 2 } })
    expect(summary.readNotes?.[0]).toBe('read frame 2 of 3 in 2 volumes with several frames (--frame N picks another)')
    for (const v of getDataset(db, 'f2')?.volumeRecords ?? []) {
      expect(v.imagePath.startsWith(workspace)).toBe(true)
      const image = readImageFile(v.imagePath)
      expect(image.header.frames).toBe(1)
      expect(Array.from(image.data)).toEqual(Array.from(frames(3).subarray(2 * voxels)))
      expect(Array.from(readLabelFile(v.labelPath).data)).toEqual(Array.from(mask))
    }
    expect(recorded('f2')).toEqual({ frame: 2 })
  })

  it('refuses a frame the images lack, naming the count, and stores nothing', () => {
    let caught: unknown
    try {
      importDataset({ db, workspace }, { folder: writeFolder(), name: 'f9', preprocessing: { frame: 9 } })
    } catch (error) {
      caught = error
    }
    expect(isInputError(caught)).toBe(true)
    expect((caught as Error).message).toMatch(/case_a\.nii\.gz: has 3 frames along dim 4 \(shape 4×3×2×3\); frame 9 does not exist, choose 0–2$/)
    expect(listDatasets(db)).toEqual([])
  })

  it('takes a channel of 5D vector images', () => {
    const folder = join(root, 'vec')
    mkdirSync(join(folder, 'images'), { recursive: true })
    mkdirSync(join(folder, 'labels'), { recursive: true })
    writeFileSync(join(folder, 'images', 'v.nii'), buildTestNifti(frames(3), { dim: [5, ...shape, 1, 3, 1, 1] }))
    writeFileSync(join(folder, 'labels', 'v.nii'), buildTestNifti(mask, { shape }))
    const summary = importDataset({ db, workspace }, { folder, name: 'vec', preprocessing: { channel: 1 } })
    expect(summary.readNotes).toEqual(['read channel 1 of 3 in 1 volume with several channels (--channel N picks another)'])
    const record = getDataset(db, 'vec')?.volumeRecords[0]
    expect(Array.from(readImageFile(record?.imagePath as string).data)).toEqual(Array.from(frames(3).subarray(voxels, 2 * voxels)))
  })

  it('refuses a pair whose other half is missing, naming it', () => {
    const folder = writeFolder()
    writeFileSync(join(folder, 'images', 'case_c.hdr'), buildTestPair(mask, { shape }).header)
    writeFileSync(join(folder, 'labels', 'case_c.nii'), buildTestNifti(mask, { shape }))
    expect(() => importDataset({ db, workspace }, { folder, name: 'x' })).toThrow(/case_c\.hdr: is the header of a \.hdr\/\.img pair, but case_c\.img is not beside it/)
  })
})
