import type { VoxelArray } from '../../../shared/volume'

/** Voxel values: any typed voxel array or a plain number array (handy in tests). */
export type Values = VoxelArray | ArrayLike<number>

function checkMask(data: Values, mask: Uint8Array | undefined): void {
  if (mask && mask.length !== data.length) throw new RangeError(`mask has ${mask.length} voxels but the data has ${data.length}`)
}

/** Index of the first NaN or ±Infinity, or −1 when every value is finite (integer arrays are always −1). */
export function findNonFinite(data: Values): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data))) return -1
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i] as number)) return i
  return -1
}

/**
 * Mean and population standard deviation (divide by n, as numpy's default) over the voxels where mask ≠ 0,
 * or all voxels. Two passes in float64 so large volumes of large values (MRI maxima ~1e6) keep precision.
 */
export function meanStd(data: Values, mask?: Uint8Array): { mean: number; std: number; count: number } {
  checkMask(data, mask)
  let sum = 0
  let count = 0
  for (let i = 0; i < data.length; i++) {
    if (mask && mask[i] === 0) continue
    sum += data[i] as number
    count++
  }
  if (count === 0) return { mean: 0, std: 0, count }
  const mean = sum / count
  let sq = 0
  for (let i = 0; i < data.length; i++) {
    if (mask && mask[i] === 0) continue
    const d = (data[i] as number) - mean
    sq += d * d
  }
  return { mean, std: Math.sqrt(sq / count), count }
}

/**
 * (x − mean) / std for every voxel, with mean and std over the mask (or all voxels).
 * A constant image (std 0) or an empty mask gives all zeros rather than NaN.
 */
export function zScore(data: Values, options: { mask?: Uint8Array } = {}): Float32Array {
  const { mean, std } = meanStd(data, options.mask)
  const out = new Float32Array(data.length)
  if (!(std > 0)) return out
  const inv = 1 / std
  for (let i = 0; i < data.length; i++) out[i] = ((data[i] as number) - mean) * inv
  return out
}

/** The values selected by the mask (or all), NaN excluded, as a float64 copy we may reorder. */
function selectedValues(data: Values, mask?: Uint8Array): Float64Array {
  checkMask(data, mask)
  const out = new Float64Array(data.length)
  let n = 0
  for (let i = 0; i < data.length; i++) {
    if (mask && mask[i] === 0) continue
    const v = data[i] as number
    if (v === v) out[n++] = v
  }
  return out.subarray(0, n)
}

/**
 * Rearranges a so a[k] is the k-th smallest, smaller values before it and larger after (Hoare's quickselect,
 * median-of-three pivot). Expected O(n): a full sort of a 256³ volume would cost seconds per percentile.
 */
function selectKth(a: Float64Array, k: number, from = 0, to = a.length - 1): void {
  let lo = from
  let hi = to
  while (hi > lo) {
    const mid = (lo + hi) >>> 1
    // Median of three as pivot, which keeps sorted and constant inputs from hitting the quadratic case.
    const x = a[lo] as number
    const y = a[mid] as number
    const z = a[hi] as number
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y
    let i = lo
    let j = hi
    while (i <= j) {
      while ((a[i] as number) < pivot) i++
      while ((a[j] as number) > pivot) j--
      if (i <= j) {
        const t = a[i] as number
        a[i] = a[j] as number
        a[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return
  }
}

/**
 * Several percentiles with numpy's default ('linear') method: position h = (n − 1) · p / 100 between the sorted
 * values, interpolated between floor(h) and floor(h) + 1. NaN values are ignored; no values gives NaN.
 */
export function percentiles(data: Values, ps: readonly number[], mask?: Uint8Array): number[] {
  for (const p of ps) if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`)
  const a = selectedValues(data, mask)
  const n = a.length
  if (n === 0) return ps.map(() => NaN)
  // Select in increasing order of rank so each search only scans the part above the previous rank.
  const order = ps.map((p, idx) => ({ p, idx, h: ((n - 1) * p) / 100 })).sort((u, v) => u.h - v.h)
  const out = new Array<number>(ps.length)
  let from = 0
  for (const { idx, h } of order) {
    const lo = Math.floor(h)
    selectKth(a, lo, from)
    from = lo
    const below = a[lo] as number
    let result = below
    if (h > lo) {
      // After selection everything above lo is ≥ a[lo]; the next order statistic is their minimum.
      let next = Infinity
      for (let i = lo + 1; i < n; i++) if ((a[i] as number) < next) next = a[i] as number
      result = below + (h - lo) * (next - below)
    }
    out[idx] = result
  }
  return out
}

/** The p-th percentile (0..100), numpy's default linear method (see percentiles). */
export function percentile(data: Values, p: number, mask?: Uint8Array): number {
  return percentiles(data, [p], mask)[0] as number
}

/** Values clipped to [percentile lo, percentile hi] (over the mask, if given) as Float32Array. */
export function clipPercentiles(data: Values, lo = 0.5, hi = 99.5, mask?: Uint8Array): Float32Array {
  const [a, b] = percentiles(data, [lo, hi], mask) as [number, number]
  const out = new Float32Array(data.length)
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    out[i] = v < a ? a : v > b ? b : v
  }
  return out
}

/** How normaliseImage maps intensities. */
export type NormaliseMethod = 'zscore' | 'percentile-zscore' | 'minmax'

/** Options of normaliseImage. */
export interface NormaliseOptions {
  method: NormaliseMethod
  /** Statistics are computed over voxels where mask ≠ 0 (all voxels are transformed). */
  mask?: Uint8Array
  /** Percentiles for 'percentile-zscore' clipping; default 0.5 and 99.5. */
  lo?: number
  hi?: number
}

/**
 * Normalises an image's intensities to Float32Array:
 * 'zscore' (mean 0, std 1), 'percentile-zscore' (clip to the lo/hi percentiles, then z-score: robust to the
 * isolated extreme voxels some MRI volumes have) or 'minmax' (to 0..1; a constant image gives zeros).
 */
export function normaliseImage(data: Values, options: NormaliseOptions): Float32Array {
  const { method, mask } = options
  if (method === 'zscore') return zScore(data, { mask })
  if (method === 'percentile-zscore') return zScore(clipPercentiles(data, options.lo ?? 0.5, options.hi ?? 99.5, mask), { mask })
  checkMask(data, mask)
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    if (mask && mask[i] === 0) continue
    const v = data[i] as number
    if (v < min) min = v
    if (v > max) max = v
  }
  const out = new Float32Array(data.length)
  if (!(max > min)) return out
  const inv = 1 / (max - min)
  for (let i = 0; i < data.length; i++) out[i] = ((data[i] as number) - min) * inv
  return out
}
