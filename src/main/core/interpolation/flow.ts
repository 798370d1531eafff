/**
 * Dense slice-to-slice correspondence: multi-scale demons registration (Thirion 1998, with the symmetric
 * gradient of Vercauteren et al.) of two neighbouring slices. Adjacent slices of a volume differ by small,
 * smooth deformations, which is exactly what demons models: a displacement per pixel driven by the intensity
 * difference along the gradient, regularised by smoothing the field (binomial passes, σ² = passes/2). It needs no training data
 * (unlike Sli2Vol's learned features) and costs a few ms on a 96² region.
 */

/** Displacement field u on a w×h grid: target pixel x corresponds to source point x + u(x). */
export interface Field {
  w: number
  h: number
  ux: Float32Array
  uy: Float32Array
}

export interface FlowOptions {
  iterations: number
  /** Gaussian σ in pixels of the finest level estimated. */
  smoothing: number
  /** The finest level estimated has at most this many pixels across; larger grids get the field upsampled. */
  maxSize: number
}

/** Bilinear sample of img (w×h) at (x, y), clamped to the border. */
export function bilinear(img: Float32Array, w: number, h: number, x: number, y: number): number {
  if (x < 0) x = 0
  else if (x > w - 1) x = w - 1
  if (y < 0) y = 0
  else if (y > h - 1) y = h - 1
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const x1 = x0 + 1 < w ? x0 + 1 : x0
  const y1 = y0 + 1 < h ? y0 + 1 : y0
  const fx = x - x0
  const fy = y - y0
  const r0 = y0 * w
  const r1 = y1 * w
  const a = (img[r0 + x0] as number) + fx * ((img[r0 + x1] as number) - (img[r0 + x0] as number))
  const b = (img[r1 + x0] as number) + fx * ((img[r1 + x1] as number) - (img[r1 + x0] as number))
  return a + fy * (b - a)
}

/** Half-size image by 2×2 box averaging (odd edges average what exists). */
function downsample(img: Float32Array, w: number, h: number): { img: Float32Array; w: number; h: number } {
  const w2 = Math.max(1, Math.ceil(w / 2))
  const h2 = Math.max(1, Math.ceil(h / 2))
  const out = new Float32Array(w2 * h2)
  for (let y = 0; y < h2; y++) {
    const ya = 2 * y
    const yb = Math.min(h - 1, ya + 1)
    for (let x = 0; x < w2; x++) {
      const xa = 2 * x
      const xb = Math.min(w - 1, xa + 1)
      out[y * w2 + x] = 0.25 * ((img[ya * w + xa] as number) + (img[ya * w + xb] as number) + (img[yb * w + xa] as number) + (img[yb * w + xb] as number))
    }
  }
  return { img: out, w: w2, h: h2 }
}

/** Field resampled to a w×h grid (bilinear), displacements scaled by the size ratio. */
export function resizeField(f: Field, w: number, h: number): Field {
  const ux = new Float32Array(w * h)
  const uy = new Float32Array(w * h)
  const sx = f.w / w
  const sy = f.h / h
  for (let y = 0; y < h; y++) {
    // Pixel centres map onto pixel centres of the other grid.
    const fy = (y + 0.5) * sy - 0.5
    for (let x = 0; x < w; x++) {
      const fx = (x + 0.5) * sx - 0.5
      ux[y * w + x] = bilinear(f.ux, f.w, f.h, fx, fy) / sx
      uy[y * w + x] = bilinear(f.uy, f.w, f.h, fx, fy) / sy
    }
  }
  return { w, h, ux, uy }
}

/** out(x) = img(x + u(x)), bilinear with clamped borders; inlined here because it runs every demons iteration. */
function warp(img: Float32Array, w: number, h: number, ux: Float32Array, uy: Float32Array, out: Float32Array): void {
  const wm = w - 1
  const hm = h - 1
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      let sx = x + (ux[p] as number)
      let sy = y + (uy[p] as number)
      sx = sx < 0 ? 0 : sx > wm ? wm : sx
      sy = sy < 0 ? 0 : sy > hm ? hm : sy
      const x0 = sx | 0
      const y0 = sy | 0
      const fx = sx - x0
      const fy = sy - y0
      const i00 = y0 * w + x0
      const dx = x0 < wm ? 1 : 0
      const dy = y0 < hm ? w : 0
      const a = img[i00] as number
      const b = img[i00 + dx] as number
      const c = img[i00 + dy] as number
      const d = img[i00 + dy + dx] as number
      const top = a + fx * (b - a)
      out[p] = top + fy * (c + fx * (d - c) - top)
    }
  }
}

/** One in-place pass of the separable binomial filter [1 2 1]/4 ⊗ [1 2 1]/4, borders replicated. */
export function binomial(a: Float32Array, w: number, h: number, tmp: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const row = y * w
    if (w === 1) {
      tmp[row] = a[row] as number
      continue
    }
    tmp[row] = 0.75 * (a[row] as number) + 0.25 * (a[row + 1] as number)
    for (let x = 1, p = row + 1; x < w - 1; x++, p++) tmp[p] = 0.25 * ((a[p - 1] as number) + (a[p + 1] as number)) + 0.5 * (a[p] as number)
    tmp[row + w - 1] = 0.75 * (a[row + w - 1] as number) + 0.25 * (a[row + w - 2] as number)
  }
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? -w : 0
    const down = y < h - 1 ? w : 0
    for (let x = 0, p = y * w; x < w; x++, p++) a[p] = 0.25 * ((tmp[p + up] as number) + (tmp[p + down] as number)) + 0.5 * (tmp[p] as number)
  }
}

/** Central-difference gradient of a w×h grid (one-sided at the border) into gx, gy. */
function gradient(img: Float32Array, w: number, h: number, gx: Float32Array, gy: Float32Array): void {
  for (let y = 0, p = 0; y < h; y++) {
    const up = y > 0 ? -w : 0
    const down = y < h - 1 ? w : 0
    const sy = up !== 0 && down !== 0 ? 0.5 : 1
    for (let x = 0; x < w; x++, p++) {
      const l = x > 0 ? -1 : 0
      const r = x < w - 1 ? 1 : 0
      const sx = l !== 0 && r !== 0 ? 0.5 : 1
      gx[p] = r === l ? 0 : ((img[p + r] as number) - (img[p + l] as number)) * sx
      gy[p] = up === down ? 0 : ((img[p + down] as number) - (img[p + up] as number)) * sy
    }
  }
}

/** Demons iterations at one level, refining `f` in place. */
function demonsLevel(src: Float32Array, tgt: Float32Array, f: Field, iterations: number, sigma: number): void {
  const { w, h, ux, uy } = f
  // Each [1 2 1]/4 pass adds variance ½: σ² = passes / 2. A 3-tap filter is several times cheaper than a
  // general Gaussian, and the regularisation runs twice per iteration.
  const passes = Math.max(sigma > 0 ? 1 : 0, Math.round(2 * sigma * sigma))
  const n = w * h
  const warped = new Float32Array(n)
  const tmp = new Float32Array(n)
  const tgx = new Float32Array(n)
  const tgy = new Float32Array(n)
  const wgx = new Float32Array(n)
  const wgy = new Float32Array(n)
  // The target does not move: its gradient is computed once per level.
  gradient(tgt, w, h, tgx, tgy)
  for (let it = 0; it < iterations; it++) {
    warp(src, w, h, ux, uy, warped)
    gradient(warped, w, h, wgx, wgy)
    for (let p = 0; p < n; p++) {
      // Symmetric (ESM) gradient: the mean of the target's and the warped source's.
      const gx = 0.5 * ((tgx[p] as number) + (wgx[p] as number))
      const gy = 0.5 * ((tgy[p] as number) + (wgy[p] as number))
      const diff = (warped[p] as number) - (tgt[p] as number)
      const den = gx * gx + gy * gy + diff * diff
      if (den < 1e-9) continue
      // Thirion's force, capped at half a pixel per iteration for stability.
      let vx = (-diff * gx) / den
      let vy = (-diff * gy) / den
      const len2 = vx * vx + vy * vy
      if (len2 > 0.25) {
        const c = 0.5 / Math.sqrt(len2)
        vx *= c
        vy *= c
      }
      ux[p] = (ux[p] as number) + vx
      uy[p] = (uy[p] as number) + vy
    }
    for (let pass = 0; pass < passes; pass++) {
      binomial(ux, w, h, tmp)
      binomial(uy, w, h, tmp)
    }
  }
}

/**
 * Displacement field from `target` to `source` (both w×h): target(x) ≈ source(x + u(x)), estimated coarse to
 * fine on a pyramid whose finest estimated level is at most opts.maxSize across, then upsampled to w×h.
 */
export function registerSlices(source: Float32Array, target: Float32Array, w: number, h: number, opts: FlowOptions): Field {
  const pyramid = [{ s: source, t: target, w, h }]
  for (;;) {
    const top = pyramid[pyramid.length - 1] as (typeof pyramid)[number]
    if (Math.min(top.w, top.h) < 16) break
    const s = downsample(top.s, top.w, top.h)
    const t = downsample(top.t, top.w, top.h)
    pyramid.push({ s: s.img, t: t.img, w: s.w, h: s.h })
  }
  let f: Field | undefined
  for (let level = pyramid.length - 1; level >= 0; level--) {
    const lv = pyramid[level] as (typeof pyramid)[number]
    if (f && Math.max(lv.w, lv.h) > opts.maxSize) break
    f = f ? resizeField(f, lv.w, lv.h) : { w: lv.w, h: lv.h, ux: new Float32Array(lv.w * lv.h), uy: new Float32Array(lv.w * lv.h) }
    // Coarser levels see a blurrier image, so the same σ in their pixels regularises more in full-size pixels.
    demonsLevel(lv.s, lv.t, f, opts.iterations, opts.smoothing)
  }
  const field = f as Field
  return field.w === w && field.h === h ? field : resizeField(field, w, h)
}

/**
 * The inverse of a displacement field: v with v(x) = −u(x + v(x)), by fixed-point iteration from −u. Exact
 * enough for the sub-pixel to few-pixel smooth fields between neighbouring slices.
 */
export function invertField(f: Field, iterations = 3): Field {
  const { w, h, ux, uy } = f
  const vx = new Float32Array(w * h)
  const vy = new Float32Array(w * h)
  for (let p = 0; p < w * h; p++) {
    vx[p] = -(ux[p] as number)
    vy[p] = -(uy[p] as number)
  }
  for (let it = 0; it < iterations; it++) {
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++, p++) {
        const sx = x + (vx[p] as number)
        const sy = y + (vy[p] as number)
        vx[p] = -bilinear(ux, w, h, sx, sy)
        vy[p] = -bilinear(uy, w, h, sx, sy)
      }
    }
  }
  return { w, h, ux: vx, uy: vy }
}
