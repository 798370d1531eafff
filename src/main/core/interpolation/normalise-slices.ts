import type { VoxelArray } from '../../../shared/volume'
import { percentiles } from '../volume'

/** At most this many voxels feed the percentiles: a strided sample is plenty for clipping bounds, and cheap. */
const SAMPLE = 1 << 14

/**
 * A per-volume intensity map to z-scores after clipping to the 0.5–99.5 percentiles (robust to the isolated
 * extreme voxels some MRI volumes have); returns a function applying it to one slice as Float32Array.
 */
export function robustScale(data: VoxelArray): (slice: VoxelArray) => Float32Array {
  const stride = Math.max(1, Math.floor(data.length / SAMPLE))
  const sample = new Float64Array(Math.ceil(data.length / stride))
  let m = 0
  for (let i = 0; i < data.length; i += stride) sample[m++] = data[i] as number
  const [lo, hi] = percentiles(sample.subarray(0, m), [0.5, 99.5]) as [number, number]
  let sum = 0
  let sq = 0
  for (let i = 0; i < m; i++) {
    const v = Math.min(hi, Math.max(lo, sample[i] as number))
    sum += v
    sq += v * v
  }
  const mean = m > 0 ? sum / m : 0
  const std = m > 0 ? Math.sqrt(Math.max(0, sq / m - mean * mean)) : 0
  const inv = std > 0 ? 1 / std : 0
  return (slice) => {
    const out = new Float32Array(slice.length)
    for (let p = 0; p < slice.length; p++) {
      const v = slice[p] as number
      // NaN (v !== v) maps to the mean, 0, so one bad voxel cannot poison a registration.
      out[p] = v !== v ? 0 : ((v < lo ? lo : v > hi ? hi : v) - mean) * inv
    }
    return out
  }
}
