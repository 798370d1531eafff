// Patch augmentation: flips as exact permutations along each axis, bias bounds, jitter, the draw discipline.
import { describe, expect, it } from 'vitest'
import { AugmentConfigSchema, type AugmentConfig } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { applyPatchTransform, augmentPatch, drawPatchTransform, PATCH_DRAWS, type PatchSample, type PatchTransform } from './augment3d'

const config = (c: Partial<AugmentConfig>): AugmentConfig => AugmentConfigSchema.parse(c)
const everything = config({ flip: true, biasField: 0.3, intensityShift: 0.1, intensityScale: 0.1, probability: 1, rotateDegrees: 30, elasticAlpha: 2 })
const none: PatchTransform = { flipZ: false, flipY: false, flipX: false, bias: null, intensity: null }

function sample(seed: number, depth: number, height: number, width: number): PatchSample {
  const rng = createRng(seed)
  const n = depth * height * width
  return {
    image: Float32Array.from({ length: n }, () => 2 * rng.next() - 1),
    labels: Int32Array.from({ length: n }, () => rng.int(3)),
    weights: Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1)),
    depth,
    height,
    width,
  }
}

describe('augmentPatch', () => {
  it('flips along each combination of axes are exact permutations', () => {
    const [d, h, w] = [3, 4, 5]
    const s = sample(1, d, h, w)
    for (let mask = 0; mask < 8; mask++) {
      const t = { ...none, flipZ: (mask & 4) !== 0, flipY: (mask & 2) !== 0, flipX: (mask & 1) !== 0 }
      const out = applyPatchTransform(s, t)
      for (let z = 0; z < d; z++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const o = (z * h + y) * w + x
            const src = ((t.flipZ ? d - 1 - z : z) * h + (t.flipY ? h - 1 - y : y)) * w + (t.flipX ? w - 1 - x : x)
            expect([out.image[o], out.labels[o], out.weights[o]]).toEqual([s.image[src], s.labels[src], s.weights[src]])
          }
        }
      }
    }
  })

  it('bias field within [exp(−a), exp(a)] and intensity jitter x·(1 + a) + b', () => {
    const n = 4 * 6 * 5
    const ones: PatchSample = { image: new Float32Array(n).fill(1), labels: new Int32Array(n), weights: new Float32Array(n), depth: 4, height: 6, width: 5 }
    const rng = createRng(2)
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < 40; i++) {
      const out = augmentPatch(ones, config({ flip: false, biasField: 0.5, probability: 1 }), rng)
      for (const v of out.image) {
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
    }
    expect(lo).toBeGreaterThanOrEqual(Math.exp(-0.5) * (1 - 1e-6))
    expect(hi).toBeLessThanOrEqual(Math.exp(0.5) * (1 + 1e-6))
    expect(hi - lo).toBeGreaterThan(0.1)
    const s = sample(3, 2, 2, 2)
    const jittered = applyPatchTransform(s, { ...none, intensity: { scale: -0.2, shift: 0.3 } })
    s.image.forEach((v, i) => expect(jittered.image[i]).toBeCloseTo(v * 0.8 + 0.3, 6))
  })

  it(`same seed → same patch, different seed → different; exactly ${PATCH_DRAWS} draws per patch`, () => {
    const s = sample(4, 4, 4, 4)
    const a = augmentPatch(s, everything, createRng(1))
    expect(augmentPatch(s, everything, createRng(1))).toEqual(a)
    expect(augmentPatch(s, everything, createRng(2)).image).not.toEqual(a.image)
    for (const cfg of [everything, config({ flip: false, probability: 0 })]) {
      const used = createRng(5)
      augmentPatch(s, cfg, used)
      const reference = createRng(5)
      for (let i = 0; i < PATCH_DRAWS; i++) reference.next()
      expect(used.next()).toBe(reference.next())
    }
    const t = drawPatchTransform({ ...everything, probability: 0 }, createRng(6))
    expect([t.bias, t.intensity]).toEqual([null, null])
  })

  it('rejects arrays that do not match the size', () => {
    const s = sample(7, 2, 2, 2)
    expect(() => augmentPatch({ ...s, weights: new Float32Array(7) }, everything, createRng(1))).toThrow(/8/)
  })
})
