import type { VoxelArray } from '../../../shared/volume'

/**
 * Whether NIfTI's scl_slope / scl_inter change the values: the standard says slope 0 means "no scaling",
 * (1, 0) is the identity, and a non-finite slope is treated as absent (as nibabel does).
 */
export function scalingApplies(slope: number, inter: number): boolean {
  return Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0) && Number.isFinite(inter)
}

/**
 * value · slope + inter for every voxel, as Float32Array — or Float64Array when the stored type is
 * int32 or float64, whose values float32 (24-bit mantissa) would round.
 * When `inPlace` is allowed and the data is already that float type, the data is overwritten instead of copied.
 */
export function applyScaling(data: VoxelArray, slope: number, inter: number, inPlace: boolean): Float32Array | Float64Array {
  const wide = data instanceof Float64Array || data instanceof Int32Array
  const out = inPlace && (data instanceof Float32Array || data instanceof Float64Array) ? data : wide ? new Float64Array(data.length) : new Float32Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) * slope + inter
  return out
}
