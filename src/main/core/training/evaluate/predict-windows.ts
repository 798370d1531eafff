import { axisStrides, copyBox, type Dims3 } from '../data/geometry'
import { checkPositiveInt } from '../data/validate'
import { argmaxAt, checkClassCount, checkPredictionLength } from './argmax'
import { gaussianWeights, windowStarts } from './windows'

export interface WindowPredictionOptions {
  /** Window size along i, j, k. */
  readonly patchSize: readonly [number, number, number]
  /** Fraction of a window shared with the next one along each axis, in [0, 1). */
  readonly overlap: number
  readonly numClasses: number
  readonly batchSize: number
}

/** A 3D net as a callback: patches [n, d, h, w] → class probabilities [n, d, h, w, numClasses]. */
export type PredictPatches = (patches: Float32Array, shape: readonly [n: number, d: number, h: number, w: number]) => Promise<Float32Array>

/**
 * Labels a volume with a 3D net by sliding windows (see windowStarts) that cover it, padding with 0 where
 * the volume is smaller than a window. Each window's probabilities are accumulated with a Gaussian weight
 * map (gaussianWeights) and every voxel takes the argmax of its weighted sum (normalising by the summed
 * weights would not change the argmax).
 */
export async function predictByWindows(
  volume: { readonly dims: Dims3; readonly image: Float32Array },
  options: WindowPredictionOptions,
  predict: PredictPatches,
): Promise<Uint8Array> {
  const { dims, image } = volume
  const { patchSize, overlap, numClasses, batchSize } = options
  patchSize.forEach((s, a) => checkPositiveInt(s, `patch size along axis ${a}`))
  checkPositiveInt(batchSize, 'batch size')
  checkClassCount(numClasses)
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`overlap must be in [0, 1), got ${overlap}`)
  const voxels = dims[0] * dims[1] * dims[2]
  if (image.length !== voxels) throw new RangeError(`image has ${image.length} voxels, dims ${dims.join('×')} need ${voxels}`)

  const [pi, pj, pk] = patchSize
  const patchVoxels = pi * pj * pk
  const weight = gaussianWeights(patchSize)
  const startsI = windowStarts(dims[0], pi, overlap)
  const startsJ = windowStarts(dims[1], pj, overlap)
  const startsK = windowStarts(dims[2], pk, overlap)
  const windows: [number, number, number][] = []
  for (const k of startsK) for (const j of startsJ) for (const i of startsI) windows.push([i, j, k])

  const strides = axisStrides(dims)
  const sums = new Float32Array(voxels * numClasses)
  for (let first = 0; first < windows.length; first += batchSize) {
    const batch = windows.slice(first, first + batchSize)
    const patches = new Float32Array(batch.length * patchVoxels)
    batch.forEach((start, b) => copyBox(image, dims, start, patchSize, patches, b * patchVoxels))
    const shape = [batch.length, pk, pj, pi] as const
    const probs = await predict(patches, shape)
    checkPredictionLength(probs, batch.length * patchVoxels * numClasses, shape, numClasses)
    batch.forEach(([si, sj, sk], b) => {
      // Only the part of the window inside the volume contributes.
      const [x0, x1] = [Math.max(0, -si), Math.min(pi, dims[0] - si)]
      for (let z = Math.max(0, -sk); z < Math.min(pk, dims[2] - sk); z++) {
        for (let y = Math.max(0, -sj); y < Math.min(pj, dims[1] - sj); y++) {
          const row = pi * (y + pj * z)
          let voxel = (si + x0) + strides[1] * (sj + y) + strides[2] * (sk + z)
          for (let x = x0; x < x1; x++, voxel++) {
            const w = weight[row + x] as number
            const from = (b * patchVoxels + row + x) * numClasses
            const to = voxel * numClasses
            for (let c = 0; c < numClasses; c++) sums[to + c] = (sums[to + c] as number) + w * (probs[from + c] as number)
          }
        }
      }
    })
  }
  const out = new Uint8Array(voxels)
  for (let v = 0; v < voxels; v++) out[v] = argmaxAt(sums, v * numClasses, numClasses)
  return out
}
