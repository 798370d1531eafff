import { resampledShape } from '../../../shared/limits'
import type { Vec3, Volume, VoxelArray } from '../../../shared/volume'
import { allocLike, sliceAxisFromAffine, type Dims } from './slice-axis'

/** Interpolation of resampleToSpacing: trilinear for images, nearest neighbour for labels. */
export type ResampleMode = 'linear' | 'nearest'

/** Per output position along one axis: the two input neighbours and the weight of the upper one. */
interface AxisTable {
  lo: Int32Array
  hi: Int32Array
  w: Float64Array
}

/**
 * Input positions of output voxels o = 0..n−1 along one axis: x = o · step (step = target / source spacing),
 * so output voxel 0 sits exactly on input voxel 0. Positions past the last input voxel clamp to it
 * (edge value repeated), which keeps the output free of invented zeros at the border.
 */
function axisTable(n: number, step: number, inputSize: number): AxisTable {
  const lo = new Int32Array(n)
  const hi = new Int32Array(n)
  const w = new Float64Array(n)
  for (let o = 0; o < n; o++) {
    const x = Math.min(o * step, inputSize - 1)
    const l = Math.floor(x)
    const frac = x - l
    lo[o] = l
    // With weight 0 both neighbours are the same voxel, so a NaN next door cannot leak in via 0 · NaN.
    hi[o] = frac > 0 ? Math.min(l + 1, inputSize - 1) : l
    w[o] = frac
  }
  return { lo, hi, w }
}

function checkVolume(volume: Volume): void {
  const [nx, ny, nz] = volume.header.dims
  if (nx * ny * nz !== volume.data.length) {
    throw new RangeError(`volume dims ${volume.header.dims.join('×')} need ${nx * ny * nz} voxels but the data has ${volume.data.length}`)
  }
}

/**
 * Resamples to a new voxel size. Output shape is round(dims · spacing / target) (at least 1) per axis.
 * The first voxel centre keeps its world position; the affine's first three columns are scaled by
 * target / spacing. 'linear' is trilinear and returns Float32Array; 'nearest' keeps the dtype (for labels),
 * rounding halfway positions up.
 */
export function resampleToSpacing(volume: Volume, targetSpacing: Vec3, mode: ResampleMode): Volume {
  checkVolume(volume)
  const { dims, spacing, affine } = volume.header
  if (!targetSpacing.every((t) => t > 0 && Number.isFinite(t))) throw new RangeError(`target spacing ${targetSpacing.join(', ')} must be positive`)
  if (!spacing.every((t) => t > 0 && Number.isFinite(t))) throw new RangeError(`the volume's spacing ${spacing.join(', ')} must be positive`)
  const step = [0, 1, 2].map((a) => (targetSpacing[a] as number) / (spacing[a] as number))
  // The same shape the import's size check computed before anything was allocated.
  const outDims = resampledShape(dims, spacing, targetSpacing) as [number, number, number]
  const tables = [0, 1, 2].map((a) => axisTable(outDims[a] as number, step[a] as number, dims[a] as number)) as [AxisTable, AxisTable, AxisTable]
  const data = mode === 'linear' ? trilinear(volume.data, dims, outDims, tables) : nearest(volume.data, dims, outDims, tables)
  const newAffine = affine.slice()
  for (let row = 0; row < 3; row++) for (let col = 0; col < 3; col++) newAffine[row * 4 + col] = (affine[row * 4 + col] as number) * (step[col] as number)
  return {
    header: { ...volume.header, dims: outDims, spacing: [targetSpacing[0], targetSpacing[1], targetSpacing[2]], affine: newAffine, sliceAxis: sliceAxisFromAffine(newAffine) },
    data,
  }
}

function trilinear(src: VoxelArray, dims: Dims, outDims: Dims, [tx, ty, tz]: [AxisTable, AxisTable, AxisTable]): Float32Array {
  const [nx, ny] = dims
  const [ox, oy, oz] = outDims
  const plane = nx * ny
  const out = new Float32Array(ox * oy * oz)
  let o = 0
  for (let k = 0; k < oz; k++) {
    const z0 = (tz.lo[k] as number) * plane
    const z1 = (tz.hi[k] as number) * plane
    const wz = tz.w[k] as number
    for (let j = 0; j < oy; j++) {
      const y0 = (ty.lo[j] as number) * nx
      const y1 = (ty.hi[j] as number) * nx
      const wy = ty.w[j] as number
      const r00 = z0 + y0
      const r01 = z0 + y1
      const r10 = z1 + y0
      const r11 = z1 + y1
      for (let i = 0; i < ox; i++, o++) {
        const x0 = tx.lo[i] as number
        const x1 = tx.hi[i] as number
        const wx = tx.w[i] as number
        // Interpolate along i on the four rows, then along j, then k (written out: this loop is the hot path).
        const a00 = src[r00 + x0] as number
        const a01 = src[r01 + x0] as number
        const a10 = src[r10 + x0] as number
        const a11 = src[r11 + x0] as number
        const v00 = a00 + wx * ((src[r00 + x1] as number) - a00)
        const v01 = a01 + wx * ((src[r01 + x1] as number) - a01)
        const v10 = a10 + wx * ((src[r10 + x1] as number) - a10)
        const v11 = a11 + wx * ((src[r11 + x1] as number) - a11)
        const c0 = v00 + wy * (v01 - v00)
        const c1 = v10 + wy * (v11 - v10)
        out[o] = c0 + wz * (c1 - c0)
      }
    }
  }
  return out
}

function nearest<T extends VoxelArray>(src: T, dims: Dims, outDims: Dims, tables: [AxisTable, AxisTable, AxisTable]): T {
  const [nx, ny] = dims
  const [ox, oy, oz] = outDims
  // Nearest input index per axis: the upper neighbour when the weight is ≥ 0.5 (halfway rounds up).
  const pick = (t: AxisTable) => t.lo.map((l, n) => ((t.w[n] as number) >= 0.5 ? (t.hi[n] as number) : l))
  const [px, py, pz] = tables.map(pick) as [Int32Array, Int32Array, Int32Array]
  const out = allocLike(src, ox * oy * oz)
  let o = 0
  for (let k = 0; k < oz; k++) {
    const zOff = (pz[k] as number) * nx * ny
    for (let j = 0; j < oy; j++) {
      const row = zOff + (py[j] as number) * nx
      for (let i = 0; i < ox; i++, o++) out[o] = src[row + (px[i] as number)] as number
    }
  }
  return out
}

/**
 * Crops or pads each axis to `shape`, centred: a crop drops floor(excess / 2) voxels at the start, a pad
 * adds floor(missing / 2) at the start (the odd voxel goes at the end either way). Padding is `fill`
 * (converted as the typed array converts it). The affine's translation moves so every kept voxel keeps its
 * world position; the data type is kept.
 */
export function cropOrPadToShape(volume: Volume, shape: Vec3, fill = 0): Volume {
  checkVolume(volume)
  if (!shape.every((s) => Number.isInteger(s) && s >= 1)) throw new RangeError(`shape ${shape.join('×')} must be whole numbers ≥ 1`)
  const { dims, affine } = volume.header
  // Input index = output index + start; start < 0 means padding before the data.
  const start = [0, 1, 2].map((a) => {
    const d = dims[a] as number
    const s = shape[a] as number
    return d >= s ? Math.floor((d - s) / 2) : -Math.floor((s - d) / 2)
  }) as [number, number, number]
  const [sx, sy, sz] = shape
  const [nx, ny, nz] = dims
  const src = volume.data
  const out = allocLike(src, sx * sy * sz)
  if (fill !== 0) out.fill(fill)
  // Copy the overlap row by row (runs along i are contiguous in both arrays).
  const i0 = Math.max(0, -start[0])
  const i1 = Math.min(sx, nx - start[0])
  for (let k = Math.max(0, -start[2]); k < Math.min(sz, nz - start[2]); k++) {
    for (let j = Math.max(0, -start[1]); j < Math.min(sy, ny - start[1]); j++) {
      const from = i0 + start[0] + nx * (j + start[1] + ny * (k + start[2]))
      out.set(src.subarray(from, from + (i1 - i0)), i0 + sx * (j + sy * k))
    }
  }
  const newAffine = affine.slice()
  for (let row = 0; row < 3; row++) {
    let shift = 0
    for (let col = 0; col < 3; col++) shift += (affine[row * 4 + col] as number) * (start[col] as number)
    newAffine[row * 4 + 3] = (affine[row * 4 + 3] as number) + shift
  }
  return { header: { ...volume.header, dims: [sx, sy, sz], affine: newAffine }, data: out }
}
