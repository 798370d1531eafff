/**
 * Exact 2D Euclidean distance transforms (Felzenszwalb & Huttenlocher, "Distance transforms of sampled
 * functions", 2012): the lower envelope of parabolas, one pass per column then per row, O(pixels).
 * Own implementation; buffers are reused across calls so a 384² slice allocates nothing per pixel.
 */

/** Stands for "no site": large enough to lose to any real squared distance, small enough to stay finite. */
export const FAR = 1e20

/** Reusable scratch for the transforms, grown to the largest slice seen so far. */
export class EdtScratch {
  f = new Float64Array(0)
  d = new Float64Array(0)
  z = new Float64Array(0)
  v = new Int32Array(0)
  grid = new Float64Array(0)

  ensure(w: number, h: number): void {
    const line = Math.max(w, h)
    if (this.f.length < line) {
      this.f = new Float64Array(line)
      this.d = new Float64Array(line)
      this.z = new Float64Array(line + 1)
      this.v = new Int32Array(line)
    }
    if (this.grid.length < w * h) this.grid = new Float64Array(w * h)
  }
}

/** 1D squared distance transform of f[0..n) into d[0..n): the lower envelope of parabolas at every q. */
function edt1d(f: Float64Array, d: Float64Array, z: Float64Array, v: Int32Array, n: number): void {
  let k = 0
  v[0] = 0
  z[0] = -Infinity
  z[1] = Infinity
  for (let q = 1; q < n; q++) {
    const fq = (f[q] as number) + q * q
    let p = v[k] as number
    let s = (fq - ((f[p] as number) + p * p)) / (2 * (q - p))
    while (s <= (z[k] as number)) {
      k--
      p = v[k] as number
      s = (fq - ((f[p] as number) + p * p)) / (2 * (q - p))
    }
    k++
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  k = 0
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++
    const p = v[k] as number
    d[q] = (q - p) * (q - p) + (f[p] as number)
  }
}

/**
 * Squared Euclidean distance (pixels²) from every pixel of a w×h grid (u fastest) to the nearest pixel whose
 * `mask` value is nonzero (`toSet` true) or zero (`toSet` false), into `out`. An empty set gives ≥ FAR everywhere.
 */
export function squaredDistance(
  mask: ArrayLike<number>,
  w: number,
  h: number,
  toSet: boolean,
  out: Float64Array,
  scratch: EdtScratch,
): void {
  scratch.ensure(w, h)
  const { f, d, z, v, grid } = scratch
  // Columns (stride w) first, then rows: separability makes the 2D transform exact.
  for (let u = 0; u < w; u++) {
    for (let y = 0, p = u; y < h; y++, p += w) f[y] = (mask[p] !== 0) === toSet ? 0 : FAR
    edt1d(f, d, z, v, h)
    for (let y = 0, p = u; y < h; y++, p += w) grid[p] = d[y] as number
  }
  for (let y = 0, row = 0; y < h; y++, row += w) {
    for (let x = 0; x < w; x++) f[x] = grid[row + x] as number
    edt1d(f, d, z, v, w)
    for (let x = 0; x < w; x++) out[row + x] = d[x] as number
  }
}

/**
 * Signed distance of a binary mask, positive inside: +(distance to the nearest outside pixel − ½) inside and
 * −(distance to the nearest inside pixel − ½) outside, so the 0-level lies on the pixel boundary and
 * thresholding at > 0 gives the mask back exactly. An empty mask gives −`clamp`, a full one +`clamp`.
 */
export function signedDistance(
  mask: ArrayLike<number>,
  w: number,
  h: number,
  out: Float32Array,
  scratch: EdtScratch,
  work: { inside: Float64Array; outside: Float64Array },
  clamp = 1e6,
): void {
  squaredDistance(mask, w, h, true, work.inside, scratch)
  squaredDistance(mask, w, h, false, work.outside, scratch)
  for (let p = 0; p < w * h; p++) {
    const s = mask[p] !== 0 ? Math.sqrt(work.outside[p] as number) - 0.5 : 0.5 - Math.sqrt(work.inside[p] as number)
    out[p] = s > clamp ? clamp : s < -clamp ? -clamp : s
  }
}
