import type { Axis } from '../../../shared/volume'
import { syntheticVolume } from './synthetic'
import { interpolateMask } from './interpolate'
import type { InterpolationInput, InterpolationResult } from './types'

/** Foreground IoU of slice k (axis 2) of two label volumes of an nx×ny×n grid; both empty = 1. */
export function sliceIoU(a: ArrayLike<number>, b: ArrayLike<number>, nx: number, ny: number, k: number): number {
  let inter = 0
  let union = 0
  for (let p = k * nx * ny; p < (k + 1) * nx * ny; p++) {
    const x = a[p] !== 0
    const y = b[p] !== 0
    if (x && y) inter++
    if (x || y) union++
  }
  return union === 0 ? 1 : inter / union
}

/** Voxels with a nonzero label on slice k (axis 2). */
export function sliceArea(a: ArrayLike<number>, nx: number, ny: number, k: number): number {
  let n = 0
  for (let p = k * nx * ny; p < (k + 1) * nx * ny; p++) if (a[p] !== 0) n++
  return n
}

/** Runs interpolateMask on a plain image array (float32 volume with an identity header). */
export function run(
  dims: [number, number, number],
  image: Float32Array,
  sparse: InterpolationInput['sparse'],
  annotated: number[],
  method: InterpolationInput['method'],
  options: InterpolationInput['options'] = {},
  sliceAxis: Axis = 2,
): InterpolationResult {
  return interpolateMask({ image: syntheticVolume(dims, image, sliceAxis), sparse, annotated, method, options })
}
