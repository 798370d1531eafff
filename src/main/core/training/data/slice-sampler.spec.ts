import { describe, expect, it } from 'vitest'
import { isInputError } from '../../../../shared/errors'
import type { Axis } from '../../../../shared/volume'
import { createRng } from '../../random/rng'
import { extractSlice } from '../../volume/slice-axis'
import { createSliceSampler } from './slice-sampler'
import { codedVolume, decode, encode } from './volumes.spec-helpers'

/** The sample's pixels as rows [H][W]. */
function sampleOf(batch: { images: Float32Array; shape: readonly number[] }, b: number, which: Float32Array | Int32Array = batch.images): number[][] {
  const [, h, w] = batch.shape as [number, number, number]
  return Array.from({ length: h }, (_, y) => Array.from(which.subarray(b * h * w + y * w, b * h * w + (y + 1) * w)))
}

/** The slice index along `axis` encoded in the nonzero pixels, or -1 when they do not all agree. */
function sliceOfSample(pixels: number[][], axis: Axis): number {
  const at = (c: { i: number; j: number; k: number }): number => (axis === 0 ? c.i : axis === 1 ? c.j : c.k)
  const slices = new Set(pixels.flat().filter((v) => v !== 0).map((v) => at(decode(v))))
  return slices.size === 1 ? [...slices][0]! : -1
}

describe('createSliceSampler', () => {
  it('draws uniformly over the annotated (volume, slice) pairs and never an unannotated slice', () => {
    const volumes = [
      codedVolume({ dims: [5, 4, 6], sliceAxis: 2, annotatedSlices: [1, 3], tag: 0 }),
      codedVolume({ dims: [5, 4, 6], sliceAxis: 0, annotatedSlices: [0, 2, 4], tag: 1 }),
    ]
    const sampler = createSliceSampler(volumes, { sliceSize: [8, 8], batchSize: 50, rng: createRng(1) })
    expect(sampler.slices).toBe(5)
    const counts = new Map<string, number>()
    for (let t = 0; t < 200; t++) {
      const batch = sampler.next()
      for (let b = 0; b < 50; b++) {
        const pixels = sampleOf(batch, b)
        const tag = decode(pixels.flat().find((v) => v !== 0)!).tag
        const slice = sliceOfSample(pixels, volumes[tag]!.sliceAxis)
        counts.set(`${tag}:${slice}`, (counts.get(`${tag}:${slice}`) ?? 0) + 1)
      }
    }
    expect([...counts.keys()].sort()).toEqual(['0:1', '0:3', '1:0', '1:2', '1:4'])
    // 10 000 draws, p = 1/5: σ = 40, so ±200 is 5σ.
    for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(200)
  })

  it('centre-pads every axis with image 0, label 0, weight 1, keeping the slice orientation [H = q][W = p]', () => {
    const dims: [number, number, number] = [5, 4, 3]
    for (const axis of [0, 1, 2] as Axis[]) {
      const volume = codedVolume({ dims, sliceAxis: axis, annotatedSlices: [1], label: (i, j, k) => (i + 2 * j + k) % 3 })
      const batch = createSliceSampler([volume], { sliceSize: [7, 8], batchSize: 2, rng: createRng(3) }).next()
      expect(batch.shape).toEqual([2, 7, 8])
      expect(batch.annotatedFraction).toBe(1)
      const [w, h] = axis === 0 ? [4, 3] : axis === 1 ? [5, 3] : [5, 4]
      const [top, left] = [Math.floor((7 - h) / 2), Math.floor((8 - w) / 2)]
      const image = extractSlice(dims, volume.image, axis, 1)
      const labels = extractSlice(dims, volume.labels, axis, 1)
      const expectedImage = Array.from({ length: 7 }, (_, y) =>
        Array.from({ length: 8 }, (_, x) => (y >= top && y < top + h && x >= left && x < left + w ? image[(y - top) * w + (x - left)]! : 0)),
      )
      const expectedLabels = Array.from({ length: 7 }, (_, y) =>
        Array.from({ length: 8 }, (_, x) => (y >= top && y < top + h && x >= left && x < left + w ? labels[(y - top) * w + (x - left)]! : 0)),
      )
      for (const b of [0, 1]) {
        expect(sampleOf(batch, b)).toEqual(expectedImage)
        expect(sampleOf(batch, b, batch.labels)).toEqual(expectedLabels)
      }
      expect(batch.weights.every((v) => v === 1)).toBe(true)
    }
  })

  it('orientation by hand: axis 0 slice rows run along k, columns along j', () => {
    const volume = codedVolume({ dims: [2, 3, 2], sliceAxis: 0, annotatedSlices: [1] })
    const batch = createSliceSampler([volume], { sliceSize: [2, 3], batchSize: 1, rng: createRng(0) }).next()
    expect(sampleOf(batch, 0)).toEqual([
      [encode(1, 0, 0), encode(1, 1, 0), encode(1, 2, 0)],
      [encode(1, 0, 1), encode(1, 1, 1), encode(1, 2, 1)],
    ])
  })

  it('crops larger slices at every position with a seeded start, and pads the other axis', () => {
    // Axis 1: W = i (10 → crop to 4, 7 starts), H = k (3 → pad to 5, top 1).
    const volume = codedVolume({ dims: [10, 2, 3], sliceAxis: 1, annotatedSlices: [1] })
    const sampler = createSliceSampler([volume], { sliceSize: [5, 4], batchSize: 20, rng: createRng(9) })
    const starts = new Set<number>()
    for (let t = 0; t < 10; t++) {
      const batch = sampler.next()
      for (let b = 0; b < 20; b++) {
        const pixels = sampleOf(batch, b)
        const x0 = decode(pixels[1]![0]!).i
        starts.add(x0)
        const expected = [0, 1, 2, 3, 4].map((y) => [0, 1, 2, 3].map((x) => (y >= 1 && y <= 3 ? encode(x0 + x, 1, y - 1) : 0)))
        expect(pixels).toEqual(expected)
      }
    }
    expect([...starts].sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('weights are the annotated mask inside the slice and 1 on padding; annotatedFraction is their mean', () => {
    // One 2×2 k-slice with the diagonal annotated, padded to 2×4: weights per row [1, m, m, 1].
    const volume = codedVolume({ dims: [2, 2, 1], sliceAxis: 2, annotatedSlices: [0], annotated: (i, j) => i === j })
    const batch = createSliceSampler([volume], { sliceSize: [2, 4], batchSize: 1, rng: createRng(0) }).next()
    expect(sampleOf(batch, 0, batch.weights)).toEqual([
      [1, 1, 0, 1],
      [1, 0, 1, 1],
    ])
    expect(batch.annotatedFraction).toBe(6 / 8)
  })

  it('is deterministic for a seed and differs between seeds', () => {
    const volumes = [codedVolume({ dims: [12, 9, 7], sliceAxis: 2, annotatedSlices: [0, 2, 5, 6] })]
    const draw = (seed: number): Float32Array => createSliceSampler(volumes, { sliceSize: [6, 6], batchSize: 8, rng: createRng(seed) }).next().images
    expect(draw(4)).toEqual(draw(4))
    expect(draw(4)).not.toEqual(draw(5))
  })

  it('applies the augment hook per sample, in place or with new arrays, and rejects a resized sample', () => {
    const volume = codedVolume({ dims: [3, 3, 2], annotatedSlices: [0] })
    const negate = createSliceSampler([volume], {
      sliceSize: [4, 4],
      batchSize: 2,
      rng: createRng(0),
      augment: (s) => {
        expect([s.height, s.width, s.image.length]).toEqual([4, 4, 16])
        return { ...s, image: s.image.map((v) => -v), weights: new Float32Array(16).fill(0.5) }
      },
    }).next()
    const plain = createSliceSampler([volume], { sliceSize: [4, 4], batchSize: 2, rng: createRng(0) }).next()
    expect(Array.from(negate.images)).toEqual(Array.from(plain.images, (v) => -v))
    expect(negate.annotatedFraction).toBe(0.5)
    const inPlace = createSliceSampler([volume], { sliceSize: [4, 4], batchSize: 2, rng: createRng(0), augment: (s) => (s.labels.fill(2), s) }).next()
    expect(inPlace.labels.every((v) => v === 2)).toBe(true)
    const resize = createSliceSampler([volume], { sliceSize: [4, 4], batchSize: 1, rng: createRng(0), augment: (s) => ({ ...s, image: new Float32Array(9), height: 3, width: 3 }) })
    expect(() => resize.next()).toThrow(RangeError)
  })

  it('rejects volumes without annotated slices (InputError) and out-of-range slice indices', () => {
    const none = codedVolume({ dims: [3, 3, 3], annotatedSlices: [] })
    expect(() => createSliceSampler([none], { sliceSize: [4, 4], batchSize: 1, rng: createRng(0) })).toThrow(expect.objectContaining({ name: 'InputError' }))
    try {
      createSliceSampler([], { sliceSize: [4, 4], batchSize: 1, rng: createRng(0) })
      expect.unreachable()
    } catch (e) {
      expect(isInputError(e)).toBe(true)
    }
    const bad = codedVolume({ dims: [3, 3, 3], annotatedSlices: [3] })
    expect(() => createSliceSampler([bad], { sliceSize: [4, 4], batchSize: 1, rng: createRng(0) })).toThrow(RangeError)
  })
})
