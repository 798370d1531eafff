// Reads every image/label pair of the real MSD hippocampus set and checks the facts its README states.
// Only facts are kept per case (not voxels), so the 520 files cost a second or so and little memory.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StoredDtype } from '../../../shared/volume'
import { hippocampusDir } from '../../test-support/shared-data'
import { foregroundSliceCount, labelVoxelCounts } from './label-stats'
import { readImageFile, readLabelFile } from './nifti-read'

interface CaseFacts {
  name: string
  imageDims: number[]
  labelDims: number[]
  spacing: number[]
  rotation: number[]
  imageDtype: StoredDtype
  labelStoredDtype: StoredDtype
  labelArray: string
  labelValues: number[]
  foregroundSlices: number
  foregroundFraction: number
}

describe.skipIf(!hippocampusDir)('MSD hippocampus, all 260 pairs (needs ../shared/data)', () => {
  const dir = hippocampusDir as string
  const cases: CaseFacts[] = []

  beforeAll(() => {
    for (const name of readdirSync(join(dir, 'images')).filter((f) => f.endsWith('.nii.gz')).sort()) {
      const image = readImageFile(join(dir, 'images', name))
      const label = readLabelFile(join(dir, 'labels', name))
      const counts = labelVoxelCounts(label.data)
      const a = image.header.affine
      cases.push({
        name,
        imageDims: image.header.dims,
        labelDims: label.header.dims,
        spacing: image.header.spacing,
        rotation: [a[0], a[1], a[2], a[4], a[5], a[6], a[8], a[9], a[10]] as number[],
        imageDtype: image.header.storedDtype,
        labelStoredDtype: label.header.storedDtype,
        labelArray: label.data.constructor.name,
        labelValues: Object.keys(counts).map(Number),
        foregroundSlices: foregroundSliceCount(label.header.dims, label.data, 2),
        foregroundFraction: 1 - (counts['0'] ?? 0) / label.data.length,
      })
    }
  })

  it('has 260 pairs with equal image and label dims', () => {
    expect(cases).toHaveLength(260)
    expect(cases.filter((c) => c.imageDims.join() !== c.labelDims.join()).map((c) => c.name)).toEqual([])
  })

  it('shapes lie within 31–43 × 40–59 × 24–47, spacing 1 × 1 × 1, identity rotation', () => {
    const inRange = (c: CaseFacts) => {
      const [x, y, z] = c.imageDims as [number, number, number]
      return x >= 31 && x <= 43 && y >= 40 && y <= 59 && z >= 24 && z <= 47
    }
    expect(cases.filter((c) => !inRange(c)).map((c) => `${c.name} ${c.imageDims.join('×')}`)).toEqual([])
    expect(cases.filter((c) => c.spacing.join() !== '1,1,1').map((c) => c.name)).toEqual([])
    expect(cases.filter((c) => c.rotation.join() !== '1,0,0,0,1,0,0,0,1').map((c) => c.name)).toEqual([])
  })

  it('has 55 uint8 and 205 float32 images', () => {
    expect(cases.filter((c) => c.imageDtype === 'uint8')).toHaveLength(55)
    expect(cases.filter((c) => c.imageDtype === 'float32')).toHaveLength(205)
  })

  it('labels are ⊆ {0, 1, 2} in Uint8Array; 003 and 243 are stored as float32 but read as integer labels', () => {
    expect(cases.filter((c) => c.labelValues.some((v) => v !== 0 && v !== 1 && v !== 2)).map((c) => c.name)).toEqual([])
    expect(cases.filter((c) => c.labelArray !== 'Uint8Array').map((c) => c.name)).toEqual([])
    expect(cases.filter((c) => c.labelStoredDtype === 'float32').map((c) => c.name)).toEqual(['hippocampus_003.nii.gz', 'hippocampus_243.nii.gz'])
  })

  // The README rounds the fraction to one decimal: 144 and 336 have 3.76 %, which it counts as 3.8 %.
  it('the foreground spans 14–37 slices along axis 2 and 3.8–7.5 % of voxels (to one decimal)', () => {
    expect(cases.filter((c) => c.foregroundSlices < 14 || c.foregroundSlices > 37).map((c) => `${c.name} ${c.foregroundSlices}`)).toEqual([])
    expect(cases.filter((c) => c.foregroundFraction < 0.0375 || c.foregroundFraction > 0.0755).map((c) => c.name)).toEqual([])
  })
})
