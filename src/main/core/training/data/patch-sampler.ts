import type { PatchSampling } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import type { Batch, TrainingVolume } from '../types'
import { createCentreSampler, type CentreSampler } from './patch-centres'
import { copyBox, type Dims3 } from './geometry'
import { checkSampleSize, mean, type PatchSample } from './samples'
import { checkNotEmpty, checkPositiveInt, checkVolume } from './validate'

export interface PatchSamplerOptions {
  /** Patch size along i, j, k. */
  readonly patchSize: readonly [number, number, number]
  readonly batchSize: number
  readonly numClasses: number
  readonly sampling: PatchSampling
  readonly rng: Rng
  /** Applied to each patch after extraction; must keep its size. */
  readonly augment?: (sample: PatchSample) => PatchSample
}

export interface PatchSampler {
  /** A batch [N, D = k, H = j, W = i]; weights 1 on annotated voxels, 0 on unannotated ones and padding. */
  next(): Batch
  /** The centring categories with their voxel counts and effective probabilities. */
  readonly centres: CentreSampler
}

/**
 * 3D training batches: each patch is centred on a voxel drawn by category (see createCentreSampler). The
 * patch is shifted to lie inside the volume along every axis where the volume is at least as large as the
 * patch (the centre voxel stays inside it, and no padding is wasted); along an axis where the volume is
 * smaller the volume is centred in the patch and padded with image 0, label 0, weight 0.
 */
export function createPatchSampler(volumes: readonly TrainingVolume[], options: PatchSamplerOptions): PatchSampler {
  const { patchSize, batchSize, numClasses, sampling, rng, augment } = options
  patchSize.forEach((s, a) => checkPositiveInt(s, `patch size along axis ${a}`))
  checkPositiveInt(batchSize, 'batch size')
  checkPositiveInt(numClasses, 'number of classes')
  checkNotEmpty(volumes)
  for (const volume of volumes) checkVolume(volume)
  const centres = createCentreSampler(volumes, numClasses, sampling)
  const [pi, pj, pk] = patchSize
  const voxels = pi * pj * pk

  return {
    centres,
    next(): Batch {
      const images = new Float32Array(batchSize * voxels)
      const labels = new Int32Array(batchSize * voxels)
      const weights = new Float32Array(batchSize * voxels)
      for (let b = 0; b < batchSize; b++) {
        const centre = centres.draw(rng)
        const volume = volumes[centre.volume] as TrainingVolume
        const start = patchStart(volume.dims, centre.voxel, patchSize)
        const offset = b * voxels
        copyBox(volume.image, volume.dims, start, patchSize, images, offset)
        copyBox(volume.labels, volume.dims, start, patchSize, labels, offset)
        copyBox(volume.annotated ?? 1, volume.dims, start, patchSize, weights, offset)
        if (augment) {
          const sample: PatchSample = {
            image: images.subarray(offset, offset + voxels),
            labels: labels.subarray(offset, offset + voxels),
            weights: weights.subarray(offset, offset + voxels),
            depth: pk,
            height: pj,
            width: pi,
          }
          const out = augment(sample)
          checkSampleSize(out, voxels, 'patch')
          if (out.depth !== pk || out.height !== pj || out.width !== pi) {
            throw new RangeError(`augmentation returned a ${out.depth}×${out.height}×${out.width} patch, expected ${pk}×${pj}×${pi}`)
          }
          if (out.image !== sample.image) sample.image.set(out.image)
          if (out.labels !== sample.labels) sample.labels.set(out.labels)
          if (out.weights !== sample.weights) sample.weights.set(out.weights)
        }
      }
      return { shape: [batchSize, pk, pj, pi], images, labels, weights, annotatedFraction: mean(weights) }
    },
  }
}

/** Start (i, j, k) of the patch around a centre voxel: centred, then shifted inside the volume (see above). */
export function patchStart(dims: Dims3, voxel: number, patchSize: readonly [number, number, number]): [number, number, number] {
  const i = voxel % dims[0]
  const j = Math.floor(voxel / dims[0]) % dims[1]
  const k = Math.floor(voxel / (dims[0] * dims[1]))
  return [axisStart(i, dims[0], patchSize[0]), axisStart(j, dims[1], patchSize[1]), axisStart(k, dims[2], patchSize[2])]
}

function axisStart(centre: number, size: number, patch: number): number {
  // `0 −` rather than unary minus: no −0 when the volume is one voxel short.
  if (size <= patch) return 0 - Math.floor((patch - size) / 2)
  return Math.min(Math.max(centre - Math.floor(patch / 2), 0), size - patch)
}
