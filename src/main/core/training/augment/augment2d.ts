/**
 * Seeded augmentation of one 2D training slice (row-major [H][W] image, labels and loss weights).
 *
 * Geometry — flips, rotation/scale about the centre and elastic deformation — is composed into one map from
 * output pixel to source position and resampled ONCE: bilinear for the image, nearest for labels and weights
 * (which therefore move together). Positions outside the source give image 0, label 0 and weight 0, so padding
 * brought in by a rotation is never trained on. Then, on the output grid: the bias field multiplies the image,
 * and intensity jitter maps x → x·(1 + a) + b.
 *
 * Randomness: every call draws exactly {@link SLICE_DRAWS} numbers from the generator, in a fixed order,
 * whatever the config — a transform that is off or not chosen still consumes its draws. So switching one
 * transform off never changes what the others do to the same sample. The elastic field's per-pixel noise comes
 * from its own stream seeded by one of those draws.
 */
import type { AugmentConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { applyBias2d, applyIntensity, biasCoefficients, elasticField, type DisplacementField } from './fields'

/** One slice: image, labels and loss weights, each row-major [height][width]. */
export interface SliceSample {
  readonly image: Float32Array
  readonly labels: Int32Array
  readonly weights: Float32Array
  readonly height: number
  readonly width: number
}

/** The concrete transform drawn for one slice (null / false = not applied). */
export interface SliceTransform {
  readonly flipY: boolean
  readonly flipX: boolean
  /** Rotation (radians, counter-clockwise in (x, y)) and isotropic scale (> 1 enlarges the content). */
  readonly affine: { readonly angle: number; readonly scale: number } | null
  /** Displacement in pixels added to each output pixel's source position (after the affine). */
  readonly elastic: DisplacementField | null
  /** Log-bias polynomial coefficients (see fields.ts: the field lies in [e^−a, e^a]). */
  readonly bias: Float64Array | null
  readonly intensity: { readonly scale: number; readonly shift: number } | null
}

/** Numbers drawn from the generator per slice: flips 2, affine 3, elastic 2, bias 6, intensity 3. */
export const SLICE_DRAWS = 16
const BIAS_TERMS_2D = 5

/** Uniform in [−1, 1) from one draw. */
const symmetric = (rng: Rng): number => 2 * rng.next() - 1

/** Draws the transform for one slice of the given size; see the module comment for the draw order. */
export function drawSliceTransform(config: AugmentConfig, rng: Rng, height: number, width: number): SliceTransform {
  const p = config.probability
  const flipY = rng.next() < 0.5
  const flipX = rng.next() < 0.5

  const affineChosen = rng.next() < p
  const angle = (symmetric(rng) * config.rotateDegrees * Math.PI) / 180
  const scale = 1 + symmetric(rng) * config.scale
  const affineOn = affineChosen && (config.rotateDegrees > 0 || config.scale > 0)

  const elasticChosen = rng.next() < p
  const elasticSeed = rng.int(0x100000000)
  const elasticOn = elasticChosen && config.elasticAlpha > 0

  const biasChosen = rng.next() < p
  const biasDraws = Array.from({ length: BIAS_TERMS_2D }, () => rng.next())
  const biasOn = biasChosen && config.biasField > 0

  const intensityChosen = rng.next() < p
  const gain = symmetric(rng) * config.intensityScale
  const shift = symmetric(rng) * config.intensityShift
  const intensityOn = intensityChosen && (config.intensityScale > 0 || config.intensityShift > 0)

  return {
    flipY: config.flip && flipY,
    flipX: config.flip && flipX,
    affine: affineOn ? { angle, scale } : null,
    elastic: elasticOn ? elasticField(height, width, config.elasticAlpha, config.elasticSigma, elasticSeed) : null,
    bias: biasOn ? biasCoefficients(biasDraws, config.biasField) : null,
    intensity: intensityOn ? { scale: gain, shift } : null,
  }
}

function checkSample(s: SliceSample): void {
  const n = s.height * s.width
  if (!(Number.isInteger(s.height) && Number.isInteger(s.width) && s.height > 0 && s.width > 0)) {
    throw new Error(`slice size must be positive integers, got ${s.height}×${s.width}`)
  }
  if (s.image.length !== n || s.labels.length !== n || s.weights.length !== n) {
    throw new Error(`slice arrays must hold ${s.height}×${s.width} = ${n} values (image ${s.image.length}, labels ${s.labels.length}, weights ${s.weights.length})`)
  }
}

/** Flips only: an exact permutation. */
function flipSlice(s: SliceSample, flipY: boolean, flipX: boolean): SliceSample {
  const { height: h, width: w } = s
  const image = new Float32Array(h * w)
  const labels = new Int32Array(h * w)
  const weights = new Float32Array(h * w)
  for (let y = 0; y < h; y++) {
    const srcRow = (flipY ? h - 1 - y : y) * w
    const row = y * w
    for (let x = 0; x < w; x++) {
      const src = srcRow + (flipX ? w - 1 - x : x)
      image[row + x] = s.image[src] as number
      labels[row + x] = s.labels[src] as number
      weights[row + x] = s.weights[src] as number
    }
  }
  return { image, labels, weights, height: h, width: w }
}

/**
 * The one resampling: source (sx, sy) = flip(c + R(angle)·(o − c)/scale + d(o)) for output pixel o. For an
 * identity map the source positions are exact integers and bilinear weights exactly 0/1, so the input comes back
 * bit for bit.
 */
function resampleSlice(s: SliceSample, t: SliceTransform): SliceSample {
  const { height: h, width: w } = s
  const image = new Float32Array(h * w)
  const labels = new Int32Array(h * w)
  const weights = new Float32Array(h * w)
  const cx = (w - 1) / 2
  const cy = (h - 1) / 2
  const cos = t.affine ? Math.cos(t.affine.angle) : 1
  const sin = t.affine ? Math.sin(t.affine.angle) : 0
  const inv = t.affine ? 1 / t.affine.scale : 1
  const dyField = t.elastic?.dy
  const dxField = t.elastic?.dx
  const src = s.image
  const at = (yy: number, xx: number): number => (yy >= 0 && yy < h && xx >= 0 && xx < w ? (src[yy * w + xx] as number) : 0)
  for (let y = 0; y < h; y++) {
    const oy = y - cy
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const ox = x - cx
      let sx = cx + (cos * ox - sin * oy) * inv
      let sy = cy + (sin * ox + cos * oy) * inv
      if (dxField && dyField) {
        sx += dxField[i] as number
        sy += dyField[i] as number
      }
      if (t.flipX) sx = w - 1 - sx
      if (t.flipY) sy = h - 1 - sy
      // Nearest for labels and weights.
      const nx = Math.floor(sx + 0.5)
      const ny = Math.floor(sy + 0.5)
      if (nx >= 0 && nx < w && ny >= 0 && ny < h) {
        labels[i] = s.labels[ny * w + nx] as number
        weights[i] = s.weights[ny * w + nx] as number
      }
      // Bilinear for the image, zero outside.
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      if (x0 < -1 || x0 >= w || y0 < -1 || y0 >= h) continue
      const fx = sx - x0
      const fy = sy - y0
      let top: number
      let bottom: number
      if (x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h) {
        const k = y0 * w + x0
        const v00 = src[k] as number
        const v10 = src[k + w] as number
        top = v00 + fx * ((src[k + 1] as number) - v00)
        bottom = v10 + fx * ((src[k + w + 1] as number) - v10)
      } else {
        const v00 = at(y0, x0)
        const v10 = at(y0 + 1, x0)
        top = v00 + fx * (at(y0, x0 + 1) - v00)
        bottom = v10 + fx * (at(y0 + 1, x0 + 1) - v10)
      }
      image[i] = top + fy * (bottom - top)
    }
  }
  return { image, labels, weights, height: h, width: w }
}

/** Applies a drawn transform; returns a new sample (the input is not modified). */
export function applySliceTransform(sample: SliceSample, t: SliceTransform): SliceSample {
  checkSample(sample)
  if (t.elastic && (t.elastic.dx.length !== sample.image.length || t.elastic.dy.length !== sample.image.length)) {
    throw new Error('elastic field size does not match the slice')
  }
  const out = t.affine || t.elastic ? resampleSlice(sample, t) : flipSlice(sample, t.flipY, t.flipX)
  if (t.bias) applyBias2d(out.image, out.height, out.width, t.bias)
  if (t.intensity) applyIntensity(out.image, t.intensity.scale, t.intensity.shift)
  return out
}

/** Draws and applies a random augmentation of one slice; see the module comment. */
export function augmentSlice(sample: SliceSample, config: AugmentConfig, rng: Rng): SliceSample {
  checkSample(sample)
  return applySliceTransform(sample, drawSliceTransform(config, rng, sample.height, sample.width))
}
