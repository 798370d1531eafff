/**
 * Worker side: loads a job's volumes into memory as TrainingVolumes — normalised images, labels as bytes, and
 * which voxels count as annotated according to the label source. Images are clipped to their 0.5–99.5th
 * percentiles before the z-score: some MRI volumes (MSD hippocampus among them) hold isolated voxels of
 * ~1e6, and a plain z-score would squash everything else of such a volume to ~0.
 */
import { InputError } from '../../../shared/errors'
import type { VoxelArray } from '../../../shared/volume'
import { readImageFile, readLabelFile } from '../volume'
import { normaliseImage } from '../volume/normalise'
import { sliceCount, sliceShape, writeSlice, type Dims } from '../volume/slice-axis'
import type { JobVolume } from './job'
import type { TrainingVolume } from './types'

/** Labels as bytes, refusing values the net has no class for. */
function labelBytes(data: VoxelArray, numClasses: number, source: string): Uint8Array {
  const out = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (v < 0 || v >= numClasses) {
      throw new InputError(source, `has label value ${v}, but the dataset declares labels 0…${numClasses - 1}`)
    }
    out[i] = v
  }
  return out
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

/** Marks the given slices as annotated (1) in a fresh mask. */
function sliceMask(dims: Dims, axis: JobVolume['sliceAxis'], slices: readonly number[]): Uint8Array {
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2])
  const n = sliceCount(dims, axis)
  const [w, h] = sliceShape(dims, axis)
  const ones = new Uint8Array(w * h).fill(1)
  for (const s of slices) {
    if (s < 0 || s >= n) throw new RangeError(`slice ${s} is outside 0…${n - 1}`)
    writeSlice(dims, mask, axis, s, ones)
  }
  return mask
}

/** Loads one volume of a job. */
export function loadTrainingVolume(v: JobVolume, numClasses: number): TrainingVolume {
  const image = readImageFile(v.imagePath)
  const dims = image.header.dims
  if (!sameDims(dims, v.dims)) throw new InputError(v.imagePath, `has shape ${dims.join('×')}, but ${v.dims.join('×')} was imported; re-import the dataset`)
  const labelPath = v.labels.kind === 'sparse-mask' || v.labels.kind === 'interpolated' ? v.labels.maskPath : v.labelPath
  const label = readLabelFile(labelPath)
  if (!sameDims(label.header.dims, dims)) {
    throw new InputError(labelPath, `has shape ${label.header.dims.join('×')}, but its image ${v.imagePath} has ${dims.join('×')}`)
  }
  const all = Array.from({ length: sliceCount(dims, v.sliceAxis) }, (_, i) => i)
  const labels = labelBytes(label.data, numClasses, labelPath)
  const base = { volumeId: v.volumeId, caseId: v.caseId, dims, sliceAxis: v.sliceAxis, image: normaliseImage(image.data, { method: 'percentile-zscore' }), labels }
  switch (v.labels.kind) {
    case 'dense':
    case 'interpolated':
      return { ...base, annotated: null, annotatedSlices: all }
    case 'slices':
    case 'sparse-mask': {
      const slices = [...new Set(v.labels.slices)].sort((a, b) => a - b)
      return { ...base, annotated: sliceMask(dims, v.sliceAxis, slices), annotatedSlices: slices }
    }
  }
}

/** Voxels with a label > 0 that count as annotated. */
export function annotatedForeground(volume: TrainingVolume): number {
  let n = 0
  const { labels, annotated } = volume
  for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > 0 && (annotated === null || annotated[i] === 1)) n++
  return n
}
