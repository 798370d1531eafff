import type { VoxelArray } from '../../../../shared/volume'

/** Array shape (i, j, k) of a volume stored i-fastest. */
export type Dims3 = readonly [number, number, number]

/** Flat-index step of one voxel along each axis of an i-fastest volume. */
export function axisStrides(dims: Dims3): [number, number, number] {
  return [1, dims[0], dims[0] * dims[1]]
}

/** Where a run of `length` source voxels starting at `source` lands at `target` in the output. */
export interface AxisFit {
  readonly source: number
  readonly target: number
  readonly length: number
}

/**
 * Fits a source extent into an output extent along one axis: centred with zero padding when it is no longer
 * than the output (the extra pixel of an odd difference goes after), otherwise a crop whose start is drawn
 * uniformly from every position that keeps it inside the source.
 */
export function fitAxis(sourceSize: number, targetSize: number, drawStart: (positions: number) => number): AxisFit {
  if (sourceSize <= targetSize) return { source: 0, target: Math.floor((targetSize - sourceSize) / 2), length: sourceSize }
  return { source: drawStart(sourceSize - targetSize + 1), target: 0, length: targetSize }
}

/** The smallest multiple of `multiple` that is at least `size`. */
export function paddedSize(size: number, multiple: number): number {
  return Math.ceil(size / multiple) * multiple
}

/**
 * Copies the box of `size` voxels starting at `start` (may lie partly or wholly outside the volume) from an
 * i-fastest volume into `out` at `offset`, laid out i-fastest as [size k][size j][size i]. Voxels outside
 * the volume are left as they are in `out` (callers pass zeroed arrays, which is the padding). `source` a
 * number fills the inside part with that constant (an "all annotated" mask without allocating one).
 */
export function copyBox(
  source: VoxelArray | number,
  dims: Dims3,
  start: readonly [number, number, number],
  size: readonly [number, number, number],
  out: VoxelArray,
  offset: number,
): void {
  const [di, dj, dk] = dims
  const [si, sj, sk] = start
  const [pi, pj, pk] = size
  const i0 = Math.max(0, si)
  const i1 = Math.min(di, si + pi)
  if (i1 <= i0) return
  const run = i1 - i0
  for (let z = 0; z < pk; z++) {
    const k = sk + z
    if (k < 0 || k >= dk) continue
    for (let y = 0; y < pj; y++) {
      const j = sj + y
      if (j < 0 || j >= dj) continue
      const from = i0 + di * (j + dj * k)
      const to = offset + (i0 - si) + pi * (y + pj * z)
      // Whole rows of i are contiguous in both layouts: one block copy (with type conversion) per row.
      if (typeof source === 'number') out.fill(source, to, to + run)
      else out.set(source.subarray(from, from + run), to)
    }
  }
}
