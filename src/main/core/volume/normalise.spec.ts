import { describe, expect, it } from 'vitest'
import { clipPercentiles, findNonFinite, meanStd, normaliseImage, percentile, percentiles, zScore } from './normalise'

const close = (actual: ArrayLike<number>, expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length)
  Array.from(actual).forEach((x, n) => expect(x, `element ${n}`).toBeCloseTo(expected[n] as number, digits))
}

describe('percentile (numpy default, linear)', () => {
  // Values computed with numpy.percentile(a, p).
  it.each([
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 25, 3.25],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9.1],
    [[15, 20, 35, 40, 50], 40, 29],
    [[50, 15, 40, 20, 35], 40, 29],
    [[3, 1, 2], 0, 1],
    [[3, 1, 2], 100, 3],
    [[7], 37, 7],
    [[-5, 5], 99.5, 4.95],
    [[2, 2, 2, 2, 1, 1, 3], 50, 2],
  ])('percentile(%j, %d) = %d', (data, p, expected) => {
    expect(percentile(Float64Array.from(data), p)).toBeCloseTo(expected, 12)
  })

  it('agrees with a full sort on a large random array, several percentiles at once', () => {
    let seed = 12345
    const data = Float32Array.from({ length: 10_001 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return (seed % 1000) - 300 // many ties
    })
    const before = Float32Array.from(data)
    const sorted = Float64Array.from(data).sort()
    const ps = [99.5, 0.5, 50, 0, 100, 33.3]
    const reference = ps.map((p) => {
      const h = ((sorted.length - 1) * p) / 100
      const lo = Math.floor(h)
      return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] as number) - sorted[lo]!)
    })
    close(percentiles(data, ps), reference, 9)
    // The input is untouched: percentiles selects in a copy (compared with a copy taken before the call).
    expect(data).toEqual(before)
  })

  it('honours a mask, ignores NaN, and gives NaN for no values', () => {
    expect(percentile([1, 100, 3, NaN], 50, Uint8Array.from([1, 0, 1, 1]))).toBe(2)
    expect(percentile([NaN], 50)).toBeNaN()
    expect(() => percentile([1], 101)).toThrow(RangeError)
  })
})

describe('zScore / meanStd', () => {
  it('uses the population std', () => {
    expect(meanStd([1, 2, 3, 4, 5])).toEqual({ mean: 3, std: Math.SQRT2, count: 5 })
    close(zScore(Int16Array.from([1, 2, 3, 4, 5])), [-2, -1, 0, 1, 2].map((x) => x / Math.SQRT2))
  })

  it('takes statistics over the mask and transforms every voxel', () => {
    const out = zScore(Uint8Array.from([1, 3, 100]), { mask: Uint8Array.from([1, 1, 0]) })
    close(out, [-1, 1, 98])
  })

  it('gives zeros, not NaN, for a constant image or an empty mask', () => {
    expect(Array.from(zScore(Float32Array.from([4, 4, 4])))).toEqual([0, 0, 0])
    expect(Array.from(zScore(Float32Array.from([1, 2]), { mask: new Uint8Array(2) }))).toEqual([0, 0])
  })

  it('keeps precision for large values', () => {
    const out = zScore(Float32Array.from([1.7e6, 1.7e6 + 2]))
    close(out, [-1, 1])
  })
})

describe('clipPercentiles / normaliseImage', () => {
  const data = Float32Array.from({ length: 201 }, (_, i) => i) // 0..200
  data[200] = 1e6 // an outlier

  it('clips to the 0.5 and 99.5 percentiles by default', () => {
    const out = clipPercentiles(data)
    expect(out[0]).toBeCloseTo(1, 6) // 200 · 0.005 = 1
    expect(out[200]).toBeCloseTo(percentile(data, 99.5), 2)
    expect(out[100]).toBe(100)
  })

  it('percentile-zscore is robust to the outlier; zscore is not', () => {
    const robust = normaliseImage(data, { method: 'percentile-zscore' })
    const plain = normaliseImage(data, { method: 'zscore' })
    expect(Math.max(...robust)).toBeLessThan(5)
    expect(Math.max(...plain)).toBeGreaterThan(10)
    expect(meanStd(robust).mean).toBeCloseTo(0, 5)
    expect(meanStd(robust).std).toBeCloseTo(1, 5)
  })

  it('minmax maps to 0..1 over the mask; constant gives zeros', () => {
    close(normaliseImage(Int16Array.from([2, 4, 6]), { method: 'minmax' }), [0, 0.5, 1])
    close(normaliseImage(Int16Array.from([2, 4, 10]), { method: 'minmax', mask: Uint8Array.from([1, 1, 0]) }), [0, 1, 4])
    expect(Array.from(normaliseImage([3, 3], { method: 'minmax' }))).toEqual([0, 0])
  })

  it('refuses a mask of the wrong size', () => {
    expect(() => zScore([1, 2], { mask: new Uint8Array(3) })).toThrow(/mask has 3/)
  })
})

describe('findNonFinite', () => {
  it('returns the first NaN or Infinity index, else −1', () => {
    expect(findNonFinite(Float32Array.from([1, 2, NaN, Infinity]))).toBe(2)
    expect(findNonFinite(Float64Array.from([1, -Infinity]))).toBe(1)
    expect(findNonFinite(Float32Array.from([1, 2]))).toBe(-1)
    expect(findNonFinite(Int16Array.from([1, 2]))).toBe(-1)
    expect(findNonFinite([0, NaN])).toBe(1)
  })
})
