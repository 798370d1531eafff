import { InputError } from '../../../../shared/errors'
import type { Rng } from '../../random/rng'
import { inPlaneAxes } from '../../volume/slice-axis'
import type { Batch, TrainingVolume } from '../types'
import { axisStrides, fitAxis } from './geometry'
import { checkSampleSize, mean, type SliceSample } from './samples'
import { checkNotEmpty, checkPositiveInt, checkVolume } from './validate'

export interface SliceSamplerOptions {
  /** Output size [H, W]: every slice is centre-padded or randomly cropped to it. */
  readonly sliceSize: readonly [number, number]
  readonly batchSize: number
  readonly rng: Rng
  /** Applied to each sample after padding/cropping; must keep its size. */
  readonly augment?: (sample: SliceSample) => SliceSample
}

export interface SliceSampler {
  /** A batch of [N, H, W] slices drawn uniformly, with replacement, from every annotated slice of every volume. */
  next(): Batch
  /** Annotated (volume, slice) pairs the sampler draws from. */
  readonly slices: number
}

/**
 * 2D training batches from sparsely annotated volumes, as in the paper: each batch element is one of the
 * annotated (volume, slice) pairs drawn uniformly at random, so a volume with more annotated slices is
 * drawn more often. Padding is background (weight 1); inside the slice the weight is the annotated mask.
 */
export function createSliceSampler(volumes: readonly TrainingVolume[], options: SliceSamplerOptions): SliceSampler {
  const { sliceSize, batchSize, rng, augment } = options
  const [height, width] = sliceSize
  checkPositiveInt(height, 'slice height')
  checkPositiveInt(width, 'slice width')
  checkPositiveInt(batchSize, 'batch size')
  checkNotEmpty(volumes)
  let total = 0
  for (const volume of volumes) {
    checkVolume(volume)
    const count = volume.dims[volume.sliceAxis]
    for (const s of volume.annotatedSlices) {
      if (!Number.isInteger(s) || s < 0 || s >= count) throw new RangeError(`${volume.caseId}: annotated slice ${s} is outside 0..${count - 1}`)
    }
    total += volume.annotatedSlices.length
  }
  if (total === 0) throw new InputError('training volumes', 'no volume has an annotated slice to train on')
  // Flat tables of the pairs: one uniform integer picks a pair.
  const pairVolume = new Int32Array(total)
  const pairSlice = new Int32Array(total)
  let p = 0
  volumes.forEach((volume, v) => {
    for (const s of volume.annotatedSlices) {
      pairVolume[p] = v
      pairSlice[p++] = s
    }
  })
  const plane = height * width
  const drawStart = (positions: number): number => rng.int(positions)

  return {
    slices: total,
    next(): Batch {
      const images = new Float32Array(batchSize * plane)
      const labels = new Int32Array(batchSize * plane)
      const weights = new Float32Array(batchSize * plane)
      for (let b = 0; b < batchSize; b++) {
        const pick = rng.int(total)
        const volume = volumes[pairVolume[pick] as number] as TrainingVolume
        const sample: SliceSample = {
          image: images.subarray(b * plane, (b + 1) * plane),
          labels: labels.subarray(b * plane, (b + 1) * plane),
          weights: weights.subarray(b * plane, (b + 1) * plane),
          height,
          width,
        }
        writeSlice(volume, pairSlice[pick] as number, sample, drawStart)
        if (augment) {
          const out = augment(sample)
          checkSampleSize(out, plane, 'slice')
          if (out.height !== height || out.width !== width) throw new RangeError(`augmentation returned a ${out.height}×${out.width} slice, expected ${height}×${width}`)
          // Copies unless the hook worked in place (then these are the same views).
          if (out.image !== sample.image) sample.image.set(out.image)
          if (out.labels !== sample.labels) sample.labels.set(out.labels)
          if (out.weights !== sample.weights) sample.weights.set(out.weights)
        }
      }
      return { shape: [batchSize, height, width], images, labels, weights, annotatedFraction: mean(weights) }
    },
  }
}

/**
 * Writes slice `index` of `volume` into a zeroed sample: rows are the slower in-plane axis q, columns the
 * faster p (the layout extractSlice uses), crop offsets drawn rows first, then columns.
 */
function writeSlice(volume: TrainingVolume, index: number, out: SliceSample, drawStart: (positions: number) => number): void {
  const { dims, sliceAxis, image, labels, annotated } = volume
  const [p, q] = inPlaneAxes(sliceAxis)
  const strides = axisStrides(dims)
  const rows = fitAxis(dims[q], out.height, drawStart)
  const cols = fitAxis(dims[p], out.width, drawStart)
  // Padding is true background, so it carries loss weight like any labelled pixel.
  out.weights.fill(1)
  const sp = strides[p]
  for (let y = 0; y < rows.length; y++) {
    let voxel = index * strides[sliceAxis] + (rows.source + y) * strides[q] + cols.source * sp
    let o = (rows.target + y) * out.width + cols.target
    for (let x = 0; x < cols.length; x++, voxel += sp, o++) {
      out.image[o] = image[voxel] as number
      out.labels[o] = labels[voxel] as number
      if (annotated) out.weights[o] = annotated[voxel] as number
    }
  }
}
