/**
 * Smooth random fields for augmentation: the elastic displacement field (noise smoothed by an approximate
 * Gaussian) and the multiplicative bias field (exp of a low-order polynomial). Plain typed arrays, row-major.
 */
import { createRng } from '../../random/rng'

/** Box-filter passes that together approximate one Gaussian (central limit: three are within a few percent). */
const BOX_PASSES = 3

/**
 * Odd box widths whose summed variance Σ(w² − 1)/12 is as close to σ² as odd widths allow (a box of odd width w
 * has variance (w² − 1)/12): n − m boxes of width w and m of width w + 2, w the largest odd width below the
 * ideal equal width. σ below ~0.6 gives width-1 boxes (no smoothing).
 */
export function boxWidthsForSigma(sigma: number, passes = BOX_PASSES): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / passes + 1)
  let lower = Math.floor(ideal)
  if (lower % 2 === 0) lower--
  lower = Math.max(lower, 1)
  const upper = lower + 2
  const wide = Math.round((12 * sigma * sigma - passes * (lower * lower - 1)) / (upper * upper - lower * lower))
  const count = Math.min(Math.max(wide, 0), passes)
  return Array.from({ length: passes }, (_, i) => (i < passes - count ? lower : upper))
}

/** Running-sum box blur along each row, 'valid' part only: [rows][cols] → [rows][cols − width + 1]. */
function boxBlurRows(src: Float32Array, rows: number, cols: number, width: number): Float32Array {
  const outCols = cols - width + 1
  const out = new Float32Array(rows * outCols)
  const inv = 1 / width
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    const outBase = r * outCols
    let acc = 0
    for (let k = 0; k < width; k++) acc += src[base + k] as number
    out[outBase] = acc * inv
    for (let c = 1; c < outCols; c++) {
      acc += (src[base + c + width - 1] as number) - (src[base + c - 1] as number)
      out[outBase + c] = acc * inv
    }
  }
  return out
}

/** Running-sum box blur down each column, 'valid' part only: [rows][cols] → [rows − width + 1][cols]. */
function boxBlurCols(src: Float32Array, rows: number, cols: number, width: number): Float32Array {
  const outRows = rows - width + 1
  const out = new Float32Array(outRows * cols)
  const acc = new Float64Array(cols)
  const inv = 1 / width
  for (let r = 0; r < width; r++) for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (src[r * cols + c] as number)
  for (let c = 0; c < cols; c++) out[c] = (acc[c] as number) * inv
  for (let r = 1; r < outRows; r++) {
    const add = (r + width - 1) * cols
    const drop = (r - 1) * cols
    for (let c = 0; c < cols; c++) {
      const a = (acc[c] as number) + (src[add + c] as number) - (src[drop + c] as number)
      acc[c] = a
      out[r * cols + c] = a * inv
    }
  }
  return out
}

/**
 * Smooths a [rows + 2R][cols + 2R] array (R = {@link blurMargin}) with the box passes for σ, returning the
 * [rows][cols] interior: the margin supplies real neighbours, so the edges are smoothed like the middle.
 */
export function smoothValid(padded: Float32Array, rows: number, cols: number, sigma: number): Float32Array {
  const widths = boxWidthsForSigma(sigma)
  const margin = blurMargin(sigma)
  let data = padded
  let r = rows + 2 * margin
  let c = cols + 2 * margin
  for (const w of widths) {
    data = boxBlurRows(data, r, c, w)
    c -= w - 1
  }
  for (const w of widths) {
    data = boxBlurCols(data, r, c, w)
    r -= w - 1
  }
  return data
}

/** Extra samples needed on each side so that {@link smoothValid} returns the full interior. */
export function blurMargin(sigma: number): number {
  return boxWidthsForSigma(sigma).reduce((sum, w) => sum + (w - 1) / 2, 0)
}

/** A displacement field in pixels, one component per axis, each [H][W] row-major. */
export interface DisplacementField {
  readonly dy: Float32Array
  readonly dx: Float32Array
}

/**
 * An elastic displacement field: uniform noise in [−1, 1) per sample and component, smoothed with σ = `sigma`
 * pixels, then scaled so that its largest component magnitude is exactly `alpha` pixels (so alpha is the
 * deformation's amplitude whatever σ is; smoothing alone would shrink it by ~1/σ). Drawn from its own stream
 * seeded by `seed`, so the caller's generator advances by one draw whatever the image size.
 *
 * Speed: for σ ≥ 4 the noise is drawn and smoothed on a grid f = ⌊σ/2⌋ times coarser (σ/f ≥ 2 coarse pixels)
 * and bilinearly interpolated up. A field that smooth varies little over f pixels, so the result is the same
 * kind of field at f² times less cost (a 64×64 field at σ = 4: ~0.6 ms → ~0.15 ms).
 */
export function elasticField(height: number, width: number, alpha: number, sigma: number, seed: number): DisplacementField {
  const rng = createRng(seed)
  // Interpolation needs two coarse nodes per axis: one-pixel-wide images stay on the fine grid.
  const factor = height > 1 && width > 1 ? Math.max(1, Math.floor(sigma / 2)) : 1
  const coarseH = Math.ceil((height - 1) / factor) + 1
  const coarseW = Math.ceil((width - 1) / factor) + 1
  const coarseSigma = sigma / factor
  const margin = blurMargin(coarseSigma)
  const size = (coarseH + 2 * margin) * (coarseW + 2 * margin)
  const component = (): Float32Array => {
    const noise = new Float32Array(size)
    for (let i = 0; i < size; i++) noise[i] = 2 * rng.next() - 1
    const coarse = smoothValid(noise, coarseH, coarseW, coarseSigma)
    return factor === 1 ? coarse : upsample(coarse, coarseH, coarseW, height, width, factor)
  }
  const dy = component()
  const dx = component()
  let peak = 0
  for (let i = 0; i < dy.length; i++) peak = Math.max(peak, Math.abs(dy[i] as number), Math.abs(dx[i] as number))
  const scale = peak > 0 ? alpha / peak : 0
  for (let i = 0; i < dy.length; i++) {
    dy[i] = (dy[i] as number) * scale
    dx[i] = (dx[i] as number) * scale
  }
  return { dy, dx }
}

/** Bilinear interpolation of a coarse grid (node k at fine position k·factor) onto the [height][width] grid. */
function upsample(coarse: Float32Array, coarseH: number, coarseW: number, height: number, width: number, factor: number): Float32Array {
  const out = new Float32Array(height * width)
  const x0s = new Int32Array(width)
  const fxs = new Float32Array(width)
  for (let x = 0; x < width; x++) {
    x0s[x] = Math.min(Math.floor(x / factor), coarseW - 2)
    fxs[x] = x / factor - (x0s[x] as number)
  }
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(Math.floor(y / factor), coarseH - 2)
    const fy = y / factor - y0
    const top = y0 * coarseW
    const bottom = top + coarseW
    for (let x = 0; x < width; x++) {
      const x0 = x0s[x] as number
      const fx = fxs[x] as number
      const t = (coarse[top + x0] as number) + fx * ((coarse[top + x0 + 1] as number) - (coarse[top + x0] as number))
      const b = (coarse[bottom + x0] as number) + fx * ((coarse[bottom + x0 + 1] as number) - (coarse[bottom + x0] as number))
      out[y * width + x] = t + fy * (b - t)
    }
  }
  return out
}

/**
 * Coefficients of a random log-bias polynomial in normalised coordinates u ∈ [−1, 1] per axis, over the basis
 * 2D: u, v, uv, 2u²−1, 2v²−1 (5 terms); 3D: u, v, w, uv, uw, vw, 2u²−1, 2v²−1, 2w²−1 (9 terms). Every basis
 * term is bounded by 1 in magnitude and each coefficient by amplitude/terms, so |log field| ≤ amplitude and
 * the field lies in [exp(−amplitude), exp(amplitude)]. No constant term: a global gain is intensity jitter's job.
 * `draws` are uniform [0, 1) numbers, one per term.
 */
export function biasCoefficients(draws: readonly number[], amplitude: number): Float64Array {
  return Float64Array.from(draws, (r) => ((2 * r - 1) * amplitude) / draws.length)
}

/** Normalised coordinate of index i on an axis of n samples: −1 … 1 (0 for a single sample). */
export function normalisedCoordinate(i: number, n: number): number {
  return n > 1 ? (2 * i) / (n - 1) - 1 : 0
}

/** Multiplies a [H][W] image in place by exp of the 2D bias polynomial with coefficients c (5 terms). */
export function applyBias2d(image: Float32Array, height: number, width: number, c: Float64Array): void {
  const [cu = 0, cv = 0, cuv = 0, cuu = 0, cvv = 0] = c
  const alongU = new Float64Array(width)
  const u = new Float64Array(width)
  for (let x = 0; x < width; x++) {
    const t = normalisedCoordinate(x, width)
    u[x] = t
    alongU[x] = cu * t + cuu * (2 * t * t - 1)
  }
  for (let y = 0; y < height; y++) {
    const v = normalisedCoordinate(y, height)
    const alongV = cv * v + cvv * (2 * v * v - 1)
    const mixed = cuv * v
    const row = y * width
    for (let x = 0; x < width; x++) {
      image[row + x] = (image[row + x] as number) * Math.exp((alongU[x] as number) + alongV + mixed * (u[x] as number))
    }
  }
}

/** Multiplies a [D][H][W] image in place by exp of the 3D bias polynomial with coefficients c (9 terms). */
export function applyBias3d(image: Float32Array, depth: number, height: number, width: number, c: Float64Array): void {
  const [cu = 0, cv = 0, cw = 0, cuv = 0, cuw = 0, cvw = 0, cuu = 0, cvv = 0, cww = 0] = c
  const u = Float64Array.from({ length: width }, (_, x) => normalisedCoordinate(x, width))
  const alongU = u.map((t) => cu * t + cuu * (2 * t * t - 1))
  for (let z = 0; z < depth; z++) {
    const w = normalisedCoordinate(z, depth)
    const alongW = cw * w + cww * (2 * w * w - 1)
    for (let y = 0; y < height; y++) {
      const v = normalisedCoordinate(y, height)
      const rest = alongW + cv * v + cvv * (2 * v * v - 1) + cvw * v * w
      const slopeU = cuv * v + cuw * w
      const row = (z * height + y) * width
      for (let x = 0; x < width; x++) {
        image[row + x] = (image[row + x] as number) * Math.exp((alongU[x] as number) + rest + slopeU * (u[x] as number))
      }
    }
  }
}

/** x·(1 + scale) + shift in place. */
export function applyIntensity(image: Float32Array, scale: number, shift: number): void {
  const gain = 1 + scale
  for (let i = 0; i < image.length; i++) image[i] = (image[i] as number) * gain + shift
}
