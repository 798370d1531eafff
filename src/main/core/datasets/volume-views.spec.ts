import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetDetail } from '../../../shared/dataset'
import { openDatabase, type Db } from '../store/database'
import { getDataset } from '../store/datasets-repo'
import { foregroundSliceIndices, readImageFile, readLabelFile } from '../volume'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from './import'
import { volumeForeground, volumePreview } from './volume-views'

let db: Db
let dir: string
let dataset: DatasetDetail
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-volume-views-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace: dir }, { folder: sampleDataDir, name: 'sample' })
  dataset = getDataset(db, 'sample')!
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('volumeForeground', () => {
  it('lists, per volume, the slices where its label file has foreground, matching the count stored at import', () => {
    const all = volumeForeground(dataset)
    expect(all.map((f) => f.volumeId)).toEqual(dataset.volumeRecords.map((v) => v.id))
    for (const [i, f] of all.entries()) {
      const record = dataset.volumeRecords[i]!
      expect(f.slices).toHaveLength(record.foregroundSlices)
      expect(f.sliceCount).toBe(record.dims[record.sliceAxis])
      // Hippocampus crops have empty ends: the foreground does not reach both first and last slice.
      expect(f.slices[0]! > 0 || f.slices.at(-1)! < f.sliceCount - 1).toBe(true)
    }
    const one = dataset.volumeRecords[1]!
    const label = readLabelFile(one.labelPath)
    expect(volumeForeground(dataset, [one.id])).toEqual([{ volumeId: one.id, sliceCount: one.dims[one.sliceAxis], slices: foregroundSliceIndices(label.header.dims, label.data, one.sliceAxis) }])
  })

  it('refuses a volume id of another dataset by name', () => {
    expect(() => volumeForeground(dataset, [999_999])).toThrow(/volume 999999.*no volume with this id/)
  })
})

describe('volumePreview', () => {
  it('gives the middle slice scaled to 0–255 with the label values of the same slice', () => {
    const record = dataset.volumeRecords[0]!
    const preview = volumePreview(dataset, record.id)
    const n = record.dims[record.sliceAxis]
    expect(preview.slice).toBe(Math.floor(n / 2))
    expect(preview.sliceCount).toBe(n)
    expect(preview.image).toHaveLength(preview.width * preview.height)
    expect(preview.label).toHaveLength(preview.image.length)
    expect(Math.min(...preview.image)).toBe(0)
    expect(Math.max(...preview.image)).toBe(255)
    // The middle slice of a hippocampus crop shows the object; the label values are the stored ones.
    expect(preview.label.some((v) => v > 0)).toBe(true)
    const labelVoxels = readLabelFile(record.labelPath).data
    const expectedLabels = new Set(Array.from(labelVoxels).map(Number))
    for (const v of new Set(preview.label)) expect(expectedLabels.has(v)).toBe(true)
    expect(readImageFile(record.imagePath).header.dims).toEqual(record.dims)
  })

  it('refuses a slice past the end, naming the field and the range', () => {
    const record = dataset.volumeRecords[0]!
    const n = record.dims[record.sliceAxis]
    expect(() => volumePreview(dataset, record.id, n)).toThrow(new RegExp(`slice.*${n} slices \\(0 to ${n - 1}\\)`))
    expect(volumePreview(dataset, record.id, 0).slice).toBe(0)
  })
})
