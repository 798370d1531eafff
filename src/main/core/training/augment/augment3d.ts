/**
 * Seeded augmentation of one 3D training patch (row-major [D][H][W] image, labels and loss weights): random
 * flips along each of the three axes (exact permutations, labels and weights move with the image), the
 * multiplicative bias field and intensity jitter. Rotation, scale and elastic deformation are 2D-only for now:
 * `rotateDegrees`, `scale` and `elasticAlpha` are ignored here.
 *
 * Randomness: exactly {@link PATCH_DRAWS} draws per call in a fixed order, whatever the config (see augment2d.ts).
 */
import type { AugmentConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { applyBias3d, applyIntensity, biasCoefficients } from './fields'

/** One patch: image, labels and loss weights, each row-major [depth][height][width]. */
export interface PatchSample {
  readonly image: Float32Array
  readonly labels: Int32Array
  readonly weights: Float32Array
  readonly depth: number
  readonly height: number
  readonly width: number
}

/** The concrete transform drawn for one patch (null / false = not applied). */
export interface PatchTransform {
  readonly flipZ: boolean
  readonly flipY: boolean
  readonly flipX: boolean
  readonly bias: Float64Array | null
  readonly intensity: { readonly scale: number; readonly shift: number } | null
}

/** Numbers drawn per patch: flips 3, bias 10, intensity 3. */
export const PATCH_DRAWS = 16
const BIAS_TERMS_3D = 9

const symmetric = (rng: Rng): number => 2 * rng.next() - 1

/** Draws the transform for one patch; see the module comment for the draw order. */
export function drawPatchTransform(config: AugmentConfig, rng: Rng): PatchTransform {
  const p = config.probability
  const flipZ = rng.next() < 0.5
  const flipY = rng.next() < 0.5
  const flipX = rng.next() < 0.5
  const biasChosen = rng.next() < p
  const biasDraws = Array.from({ length: BIAS_TERMS_3D }, () => rng.next())
  const intensityChosen = rng.next() < p
  const gain = symmetric(rng) * config.intensityScale
  const shift = symmetric(rng) * config.intensityShift
  return {
    flipZ: config.flip && flipZ,
    flipY: config.flip && flipY,
    flipX: config.flip && flipX,
    bias: biasChosen && config.biasField > 0 ? biasCoefficients(biasDraws, config.biasField) : null,
    intensity: intensityChosen && (config.intensityScale > 0 || config.intensityShift > 0) ? { scale: gain, shift } : null,
  }
}

/** Applies a drawn transform; returns a new sample (the input is not modified). */
export function applyPatchTransform(s: PatchSample, t: PatchTransform): PatchSample {
  const { depth: d, height: h, width: w } = s
  const n = d * h * w
  if (![d, h, w].every((x) => Number.isInteger(x) && x > 0)) throw new Error(`patch size must be positive integers, got ${d}×${h}×${w}`)
  if (s.image.length !== n || s.labels.length !== n || s.weights.length !== n) {
    throw new Error(`patch arrays must hold ${d}×${h}×${w} = ${n} values (image ${s.image.length}, labels ${s.labels.length}, weights ${s.weights.length})`)
  }
  const image = new Float32Array(n)
  const labels = new Int32Array(n)
  const weights = new Float32Array(n)
  for (let z = 0; z < d; z++) {
    const sz = t.flipZ ? d - 1 - z : z
    for (let y = 0; y < h; y++) {
      const srcRow = (sz * h + (t.flipY ? h - 1 - y : y)) * w
      const row = (z * h + y) * w
      if (!t.flipX) {
        image.set(s.image.subarray(srcRow, srcRow + w), row)
        labels.set(s.labels.subarray(srcRow, srcRow + w), row)
        weights.set(s.weights.subarray(srcRow, srcRow + w), row)
        continue
      }
      for (let x = 0; x < w; x++) {
        const src = srcRow + w - 1 - x
        image[row + x] = s.image[src] as number
        labels[row + x] = s.labels[src] as number
        weights[row + x] = s.weights[src] as number
      }
    }
  }
  if (t.bias) applyBias3d(image, d, h, w, t.bias)
  if (t.intensity) applyIntensity(image, t.intensity.scale, t.intensity.shift)
  return { image, labels, weights, depth: d, height: h, width: w }
}

/** Draws and applies a random augmentation of one patch; see the module comment. */
export function augmentPatch(sample: PatchSample, config: AugmentConfig, rng: Rng): PatchSample {
  return applyPatchTransform(sample, drawPatchTransform(config, rng))
}
