import { resolve } from 'node:path'
import type { VolumeHeader } from '../../../shared/volume'
import { readImageFile, sliceCount } from '../volume'

/** A NIfTI file's header facts plus its value range, as `workbench info file.nii.gz` reports them. */
export type VolumeFileFacts = VolumeHeader & { file: string; slices: number; min: number; max: number }

/** Reads a volume file and describes it. */
export function describeVolumeFile(path: string): VolumeFileFacts {
  const volume = readImageFile(path)
  let min = Infinity
  let max = -Infinity
  for (const v of volume.data) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return {
    file: resolve(path),
    ...volume.header,
    slices: sliceCount(volume.header.dims, volume.header.sliceAxis),
    min,
    max,
  }
}
