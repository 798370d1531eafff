// What the views show of a dataset's volumes beyond the facts stored at import: where each human mask has
// foreground along the slice axis (the plan strips), and one slice with its label (the dataset preview).
import type { VolumeForeground, VolumePreview } from '../../../shared/api'
import type { DatasetDetail, VolumeRecord } from '../../../shared/dataset'
import { InputError } from '../../../shared/errors'
import { extractSlice, foregroundSliceIndices, percentiles, readImageFile, readLabelFile, sliceShape } from '../volume'

/** The dataset's volume with this id, or an error naming the id. */
function requireVolume(dataset: DatasetDetail, volumeId: number): VolumeRecord {
  const volume = dataset.volumeRecords.find((v) => v.id === volumeId)
  if (!volume) throw new InputError(`volume ${volumeId}`, `dataset "${dataset.name}" has no volume with this id`)
  return volume
}

/** Per volume (all of the dataset's, or those listed), the slice indices where its label file has foreground. */
export function volumeForeground(dataset: DatasetDetail, volumeIds?: readonly number[]): VolumeForeground[] {
  const volumes = volumeIds === undefined ? dataset.volumeRecords : volumeIds.map((id) => requireVolume(dataset, id))
  return volumes.map((v) => {
    const label = readLabelFile(v.labelPath)
    // The slice axis recorded at import, the one plans index along.
    const axis = v.sliceAxis
    return { volumeId: v.id, sliceCount: label.header.dims[axis], slices: foregroundSliceIndices(label.header.dims, label.data, axis) }
  })
}

/**
 * One slice of a volume (the middle one unless `slice` is given) with its label values; the image is scaled to
 * 0–255 between the slice's 1st and 99th percentile, so one bright voxel does not leave the rest black.
 */
export function volumePreview(dataset: DatasetDetail, volumeId: number, slice?: number): VolumePreview {
  const record = requireVolume(dataset, volumeId)
  const image = readImageFile(record.imagePath)
  const label = readLabelFile(record.labelPath)
  const dims = image.header.dims
  const axis = record.sliceAxis
  const sliceCount = dims[axis]
  const index = slice ?? Math.floor(sliceCount / 2)
  if (index >= sliceCount) throw new InputError('slice', `is ${index}, but volume ${volumeId} has ${sliceCount} slices (0 to ${sliceCount - 1})`)
  const pixels = extractSlice(dims, image.data, axis, index)
  const [lo, hi] = percentiles(pixels, [1, 99]) as [number, number]
  const span = hi > lo ? hi - lo : 1
  const scaled = Array.from(pixels, (v) => Math.round(255 * Math.min(1, Math.max(0, ((v as number) - lo) / span))))
  const [width, height] = sliceShape(dims, axis)
  return { volumeId, caseId: record.caseId, slice: index, sliceCount, width, height, image: scaled, label: Array.from(extractSlice(label.header.dims, label.data, axis, index), Number) }
}
