import type { Axis, VoxelArray } from '../../../shared/volume'

/** Array shape of a volume, (i, j, k). */
export type Dims = readonly [number, number, number]

/**
 * Two column components count as tied when they differ by less than this.
 * Affines stored as float32 carry ~1e-7 relative noise, so exact comparison would let
 * rounding pick the slice axis of a 45° oblique acquisition.
 */
const TIE_TOLERANCE = 1e-6

/**
 * The array axis that runs superior–inferior according to a 4×4 row-major voxel-to-world affine.
 *
 * For each array axis (a column of the 3×3 part) we take |z| / norm, i.e. how much of a step along that
 * axis goes superior–inferior, and pick the largest. Using the ratio rather than |z| makes the answer
 * independent of voxel size (thick slices would otherwise win even when they are not the S-I axis).
 *
 * Falls back to 2 (NIfTI's k, the usual acquisition slice direction) when the affine is not 16 finite
 * numbers, when no column has any z component (degenerate or all-zero), or when the best ratio is tied
 * (within 1e-6) between two or more axes: then no single axis is S-I, and k is the conventional choice.
 */
export function sliceAxisFromAffine(affine: readonly number[]): Axis {
  if (affine.length !== 16 || !affine.every(Number.isFinite)) return 2
  const ratios = [0, 1, 2].map((c) => {
    const x = affine[c] ?? 0
    const y = affine[4 + c] ?? 0
    const z = affine[8 + c] ?? 0
    const norm = Math.hypot(x, y, z)
    return norm > 0 ? Math.abs(z) / norm : 0
  })
  const best = Math.max(...ratios)
  if (!(best > 0)) return 2
  const winners = ratios.flatMap((r, axis) => (best - r < TIE_TOLERANCE ? [axis] : []))
  if (winners.length !== 1) return 2
  return winners[0] as Axis
}

/** Number of slices along an axis. */
export function sliceCount(dims: Dims, axis: Axis): number {
  return dims[axis]
}

/** The two axes other than `axis`, in increasing order: [faster, slower] in a slice. */
export function inPlaneAxes(axis: Axis): [Axis, Axis] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1]
}

/** Shape [width, height] of a slice: the sizes of the other two axes, lower axis first. */
export function sliceShape(dims: Dims, axis: Axis): [number, number] {
  const [u, v] = inPlaneAxes(axis)
  return [dims[u], dims[v]]
}

/** Flat index of voxel (i, j, k) in i-fastest (NIfTI / Fortran) order. */
export function voxelIndex(dims: Dims, i: number, j: number, k: number): number {
  return i + dims[0] * (j + dims[1] * k)
}

/** Same constructor as `data`, new zeroed array of `length` elements. */
export function allocLike<T extends VoxelArray>(data: T, length: number): T {
  const ctor = data.constructor as new (n: number) => T
  return new ctor(length)
}

function checkSlice(dims: Dims, data: VoxelArray, axis: Axis, index: number): void {
  if (data.length !== dims[0] * dims[1] * dims[2]) {
    throw new RangeError(`data has ${data.length} voxels but dims ${dims.join('×')} need ${dims[0] * dims[1] * dims[2]}`)
  }
  if (!Number.isInteger(index) || index < 0 || index >= dims[axis]) {
    throw new RangeError(`slice ${index} is outside 0..${dims[axis] - 1} along axis ${axis}`)
  }
}

/**
 * A copy of slice `index` along `axis`, same array type, row-major over the two remaining axes
 * with the lower axis fastest (so pixel (u, v) is at u + width * v).
 */
export function extractSlice<T extends VoxelArray>(dims: Dims, data: T, axis: Axis, index: number): T {
  checkSlice(dims, data, axis, index)
  const [nx, ny, nz] = dims
  if (axis === 2) {
    // k-slices are contiguous in i-fastest order: one block copy.
    return data.slice(index * nx * ny, (index + 1) * nx * ny) as T
  }
  if (axis === 1) {
    // Each (k) row of i is contiguous: copy nz runs of nx voxels.
    const out = allocLike(data, nx * nz)
    for (let k = 0; k < nz; k++) {
      const start = nx * (index + ny * k)
      out.set(data.subarray(start, start + nx), k * nx)
    }
    return out
  }
  // Axis 0 is strided: gather one voxel per (j, k).
  const out = allocLike(data, ny * nz)
  let o = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0, p = index + nx * ny * k; j < ny; j++, p += nx) out[o++] = data[p] as number
  }
  return out
}

/** Writes `values` (laid out as extractSlice returns them) into slice `index` along `axis` of `data`. */
export function writeSlice(dims: Dims, data: VoxelArray, axis: Axis, index: number, values: ArrayLike<number>): void {
  checkSlice(dims, data, axis, index)
  const [w, h] = sliceShape(dims, axis)
  if (values.length !== w * h) throw new RangeError(`slice values have ${values.length} entries but a slice along axis ${axis} has ${w}×${h}`)
  const [nx, ny, nz] = dims
  if (axis === 2) {
    data.set(values, index * nx * ny)
    return
  }
  if (axis === 1) {
    for (let k = 0, o = 0; k < nz; k++) {
      for (let i = 0, p = nx * (index + ny * k); i < nx; i++) data[p + i] = values[o++] as number
    }
    return
  }
  let o = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0, p = index + nx * ny * k; j < ny; j++, p += nx) data[p] = values[o++] as number
  }
}
