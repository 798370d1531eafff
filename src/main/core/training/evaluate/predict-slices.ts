import type { Axis } from '../../../../shared/volume'
import { inPlaneAxes } from '../../volume/slice-axis'
import { axisStrides, paddedSize, type Dims3 } from '../data/geometry'
import { checkPositiveInt } from '../data/validate'
import { argmaxAt, checkClassCount, checkPredictionLength } from './argmax'

export interface SlicePredictionOptions {
  /** The net's input sizes must be multiples of this. */
  readonly sizeMultiple: number
  readonly batchSize: number
  readonly numClasses: number
}

/** A 2D net as a callback: images [n, h, w] → per-pixel class scores [n, h, w, numClasses]. */
export type PredictSlices = (images: Float32Array, shape: readonly [n: number, h: number, w: number]) => Promise<Float32Array>

/**
 * Labels a volume slice by slice along its slice axis with a 2D net. Each slice keeps its own size, centre-
 * padded with 0 up to the next multiple of `sizeMultiple` (a fully convolutional net needs no cropping); the
 * argmax of the scores inside the unpadded window is written back into an (i, j, k) label volume.
 */
export async function predictBySlices(
  volume: { readonly dims: Dims3; readonly sliceAxis: Axis; readonly image: Float32Array },
  options: SlicePredictionOptions,
  predict: PredictSlices,
): Promise<Uint8Array> {
  const { dims, sliceAxis, image } = volume
  const { sizeMultiple, batchSize, numClasses } = options
  checkPositiveInt(sizeMultiple, 'size multiple')
  checkPositiveInt(batchSize, 'batch size')
  checkClassCount(numClasses)
  const voxels = dims[0] * dims[1] * dims[2]
  if (image.length !== voxels) throw new RangeError(`image has ${image.length} voxels, dims ${dims.join('×')} need ${voxels}`)
  const [p, q] = inPlaneAxes(sliceAxis)
  const strides = axisStrides(dims)
  const [width, height] = [dims[p], dims[q]]
  const [paddedW, paddedH] = [paddedSize(width, sizeMultiple), paddedSize(height, sizeMultiple)]
  const [left, top] = [Math.floor((paddedW - width) / 2), Math.floor((paddedH - height) / 2)]
  const plane = paddedW * paddedH
  const out = new Uint8Array(voxels)
  const slices = dims[sliceAxis]
  // Visits every in-slice pixel with its voxel index and its index in the padded slice.
  const eachPixel = (slice: number, visit: (voxel: number, pixel: number) => void): void => {
    for (let y = 0; y < height; y++) {
      let voxel = slice * strides[sliceAxis] + y * strides[q]
      for (let x = 0, pixel = (top + y) * paddedW + left; x < width; x++, pixel++, voxel += strides[p]) visit(voxel, pixel)
    }
  }
  for (let first = 0; first < slices; first += batchSize) {
    const n = Math.min(batchSize, slices - first)
    const images = new Float32Array(n * plane)
    for (let b = 0; b < n; b++) eachPixel(first + b, (voxel, pixel) => (images[b * plane + pixel] = image[voxel] as number))
    const shape = [n, paddedH, paddedW] as const
    const scores = await predict(images, shape)
    checkPredictionLength(scores, n * plane * numClasses, shape, numClasses)
    for (let b = 0; b < n; b++) eachPixel(first + b, (voxel, pixel) => (out[voxel] = argmaxAt(scores, (b * plane + pixel) * numClasses, numClasses)))
  }
  return out
}
