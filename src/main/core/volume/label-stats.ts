import type { Axis, VoxelArray } from '../../../shared/volume'
import type { Dims } from './slice-axis'

/** Voxel count of every label value present, keyed by the value as a string ("0", "1", …). */
export function labelVoxelCounts(labelData: VoxelArray): Record<string, number> {
  if (labelData instanceof Uint8Array) {
    // The common case: a 256-entry table instead of a Map lookup per voxel.
    const table = new Float64Array(256)
    for (let i = 0; i < labelData.length; i++) {
      const v = labelData[i] as number
      table[v] = (table[v] as number) + 1
    }
    const counts: Record<string, number> = {}
    table.forEach((n, value) => {
      if (n > 0) counts[String(value)] = n
    })
    return counts
  }
  const map = new Map<number, number>()
  for (let i = 0; i < labelData.length; i++) {
    const v = labelData[i] as number
    map.set(v, (map.get(v) ?? 0) + 1)
  }
  const counts: Record<string, number> = {}
  for (const value of [...map.keys()].sort((a, b) => a - b)) counts[String(value)] = map.get(value) as number
  return counts
}

/** Indices (ascending) of the slices along `axis` that contain any nonzero label. */
export function foregroundSliceIndices(dims: Dims, labelData: VoxelArray, axis: Axis): number[] {
  const [nx, ny, nz] = dims
  if (nx * ny * nz !== labelData.length) {
    throw new RangeError(`label data has ${labelData.length} voxels but dims ${dims.join('×')} need ${nx * ny * nz}`)
  }
  const hit = new Uint8Array(dims[axis])
  // One pass over the volume in memory order; the slice index of voxel (i, j, k) is its coordinate on `axis`.
  let p = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (labelData[p] !== 0) hit[axis === 0 ? i : axis === 1 ? j : k] = 1
      }
    }
  }
  const out: number[] = []
  hit.forEach((h, s) => {
    if (h) out.push(s)
  })
  return out
}

/** Number of slices along `axis` that contain any nonzero label. */
export function foregroundSliceCount(dims: Dims, labelData: VoxelArray, axis: Axis): number {
  return foregroundSliceIndices(dims, labelData, axis).length
}
