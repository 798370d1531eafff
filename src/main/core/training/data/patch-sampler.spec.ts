import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { createCentreSampler } from './patch-centres'
import { createPatchSampler, patchStart } from './patch-sampler'
import { codedVolume, decode, encode } from './volumes.spec-helpers'

const sampling = (classWeights: number[] | undefined, unannotated = 0): { classWeights?: number[]; unannotated: number } =>
  classWeights ? { classWeights, unannotated } : { unannotated }

describe('createCentreSampler', () => {
  // Volume 0: k = 0 annotated (labels 0 except (1,1,0) = 1 and (2,2,0) = 2), k = 1 unannotated.
  // Volume 1: all annotated, label 2 at three voxels, 1 at one. So class 1 has 2 voxels, class 2 has 4.
  const volumes = [
    codedVolume({ dims: [4, 4, 2], tag: 0, annotated: (_i, _j, k) => k === 0, label: (i, j, k) => (k === 0 && i === 1 && j === 1 ? 1 : i === 2 && j === 2 && k === 0 ? 2 : 0) }),
    codedVolume({ dims: [3, 3, 3], tag: 1, label: (i, j, k) => (i === 0 && j === 0 ? 2 : i === 2 && j === 2 && k === 2 ? 1 : 0) }),
  ]
  const categoryOf = (volume: number, voxel: number): number | 'unannotated' => {
    const v = volumes[volume]!
    return v.annotated && v.annotated[voxel] === 0 ? 'unannotated' : v.labels[voxel]!
  }

  it('draws categories 50/30/20 as weighted and voxels uniformly within a category', () => {
    const sampler = createCentreSampler(volumes, 3, sampling([0, 0.5, 0.3], 0.2))
    expect(sampler.categories.map((c) => [c.category, c.voxels, c.probability])).toEqual([
      [0, 14 + 23, 0],
      [1, 2, 0.5],
      [2, 4, 0.3],
      ['unannotated', 16, 0.2],
    ])
    const rng = createRng(11)
    const byCategory = new Map<string, number>()
    const byVoxel = new Map<string, number>()
    const n = 20_000
    for (let t = 0; t < n; t++) {
      const c = sampler.draw(rng)
      const key = String(categoryOf(c.volume, c.voxel))
      byCategory.set(key, (byCategory.get(key) ?? 0) + 1)
      if (key === '2') byVoxel.set(`${c.volume}:${c.voxel}`, (byVoxel.get(`${c.volume}:${c.voxel}`) ?? 0) + 1)
    }
    expect([...byCategory.keys()].sort()).toEqual(['1', '2', 'unannotated'])
    // σ of a frequency at n = 20 000 is ≤ 0.0036: 0.015 is over 4σ.
    expect(Math.abs(byCategory.get('1')! / n - 0.5)).toBeLessThan(0.015)
    expect(Math.abs(byCategory.get('2')! / n - 0.3)).toBeLessThan(0.015)
    expect(Math.abs(byCategory.get('unannotated')! / n - 0.2)).toBeLessThan(0.015)
    // Class 2: four voxels over both volumes, 1500 draws each expected (σ ≈ 34).
    expect(byVoxel.size).toBe(4)
    for (const count of byVoxel.values()) expect(Math.abs(count - 1500)).toBeLessThan(170)
  })

  it('defaults to equal weight per present class and renormalises over categories with voxels', () => {
    const onlyZeroAndOne = [codedVolume({ dims: [3, 3, 3], label: (i) => (i === 0 ? 1 : 0) })]
    const probabilities = (s: { classWeights?: number[]; unannotated: number }): number[] =>
      createCentreSampler(onlyZeroAndOne, 3, s).categories.map((c) => c.probability)
    expect(probabilities(sampling(undefined))).toEqual([0.5, 0.5, 0, 0])
    // Class 2 and unannotated have no voxels: their weight is dropped.
    expect(probabilities(sampling([1, 3, 4], 2))).toEqual([0.25, 0.75, 0, 0])
  })

  it('rejects a weight list of the wrong length, labels beyond the classes, and nothing drawable', () => {
    const volume = [codedVolume({ dims: [2, 2, 2], label: (i) => i })]
    const inputError = expect.objectContaining({ name: 'InputError' })
    expect(() => createCentreSampler(volume, 2, sampling([1, 1, 1]))).toThrow(inputError)
    expect(() => createCentreSampler(volume, 1, sampling(undefined))).toThrow(inputError)
    expect(() => createCentreSampler(volume, 2, sampling([0, 0], 1))).toThrow(inputError)
    expect(() => createCentreSampler(volume, 2, sampling([-1, 1]))).toThrow(inputError)
  })
})

describe('patchStart', () => {
  it('centres the patch, shifts it inside the volume, and centres a smaller volume in the patch', () => {
    const dims = [10, 6, 3] as const
    const voxel = (i: number, j: number, k: number): number => i + 10 * (j + 6 * k)
    expect(patchStart(dims, voxel(5, 3, 1), [4, 4, 4])).toEqual([3, 1, 0]) // k: 3 < 4 → pad, start −⌊1/2⌋ = 0
    expect(patchStart(dims, voxel(0, 5, 1), [4, 4, 8])).toEqual([0, 2, -2]) // i clamped to 0, j to 6 − 4, k: −⌊5/2⌋
    expect(patchStart(dims, voxel(9, 0, 0), [3, 3, 3])).toEqual([7, 0, 0])
  })
})

describe('createPatchSampler', () => {
  it('lays patches out [D = k][H = j][W = i] around the chosen voxel', () => {
    const volume = codedVolume({ dims: [9, 8, 7], label: (i, j, k) => (i === 4 && j === 5 && k === 3 ? 1 : 0) })
    const sampler = createPatchSampler([volume], { patchSize: [3, 5, 3], batchSize: 4, numClasses: 2, sampling: sampling([0, 1]), rng: createRng(2) })
    const batch = sampler.next()
    expect(batch.shape).toEqual([4, 3, 5, 3])
    for (let b = 0; b < 4; b++) {
      const patch = Array.from(batch.images.subarray(b * 45, (b + 1) * 45))
      // Start (3, 3, 2): voxel (x, y, z) of the patch is (3 + x, 3 + y, 2 + z) of the volume.
      const expected: number[] = []
      for (let z = 0; z < 3; z++) for (let y = 0; y < 5; y++) for (let x = 0; x < 3; x++) expected.push(encode(3 + x, 3 + y, 2 + z))
      expect(patch).toEqual(expected)
      // The centre of a 3×5×3 patch is (1, 2, 1): flat 1 + 3·(2 + 5·1) = 22.
      expect(batch.labels[b * 45 + 22]).toBe(1)
    }
    expect(batch.annotatedFraction).toBe(1)
  })

  it('pads a volume smaller than the patch with image 0, label 0, weight 0, and annotatedFraction counts it', () => {
    // 4×4×4 volume, only k = 1 annotated (16 of 64 voxels), all label 1.
    const volume = codedVolume({ dims: [4, 4, 4], label: () => 1, annotated: (_i, _j, k) => k === 1 })
    const exact = createPatchSampler([volume], { patchSize: [4, 4, 4], batchSize: 3, numClasses: 2, sampling: sampling(undefined), rng: createRng(0) }).next()
    expect(exact.annotatedFraction).toBe(16 / 64)
    // Patch 6 along i: one voxel of padding each side, so 16 annotated of 96.
    const padded = createPatchSampler([volume], { patchSize: [6, 4, 4], batchSize: 2, numClasses: 2, sampling: sampling(undefined), rng: createRng(0) }).next()
    expect(padded.shape).toEqual([2, 4, 4, 6])
    expect(padded.annotatedFraction).toBe(16 / 96)
    for (let b = 0; b < 2; b++)
      for (let z = 0; z < 4; z++)
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 6; x++) {
            const o = b * 96 + x + 6 * (y + 4 * z)
            const inside = x >= 1 && x <= 4
            expect([padded.images[o], padded.labels[o], padded.weights[o]]).toEqual(
              inside ? [encode(x - 1, y, z), 1, z === 1 ? 1 : 0] : [0, 0, 0],
            )
          }
  })

  it('weights unannotated voxels 0 and draws patches from several volumes deterministically per seed', () => {
    const volumes = [
      codedVolume({ dims: [6, 6, 6], tag: 0, label: (i) => (i > 3 ? 1 : 0), annotated: (i) => i % 2 === 0 }),
      codedVolume({ dims: [5, 7, 6], tag: 1, label: (_i, j) => (j > 4 ? 1 : 0) }),
    ]
    const draw = (seed: number): ReturnType<ReturnType<typeof createPatchSampler>['next']> =>
      createPatchSampler(volumes, { patchSize: [4, 4, 4], batchSize: 6, numClasses: 2, sampling: sampling([1, 1]), rng: createRng(seed) }).next()
    const batch = draw(5)
    expect(draw(5)).toEqual(batch)
    expect(draw(6).images).not.toEqual(batch.images)
    let sum = 0
    for (let o = 0; o < batch.images.length; o++) {
      const { i, j, k, tag } = decode(batch.images[o]!)
      const volume = volumes[tag]!
      const p = i + volume.dims[0] * (j + volume.dims[1] * k)
      expect(batch.labels[o]).toBe(volume.labels[p])
      expect(batch.weights[o]).toBe(volume.annotated ? volume.annotated[p] : 1)
      sum += batch.weights[o]!
    }
    expect(batch.annotatedFraction).toBeCloseTo(sum / batch.weights.length, 12)
  })

  it('runs the augment hook with the 3D sample shape', () => {
    const volume = codedVolume({ dims: [4, 4, 4], label: () => 1 })
    const seen: number[][] = []
    createPatchSampler([volume], {
      patchSize: [2, 3, 4],
      batchSize: 2,
      numClasses: 2,
      sampling: sampling(undefined),
      rng: createRng(0),
      augment: (s) => (seen.push([s.depth, s.height, s.width, s.image.length]), s),
    }).next()
    expect(seen).toEqual([
      [4, 3, 2, 24],
      [4, 3, 2, 24],
    ])
  })
})
