import { describe, expect, it } from 'vitest'
import { areaTable, resizeArea } from './resize'

describe('area resize', () => {
  it('builds weights that sum to 1 and follow the overlap', () => {
    const t = areaTable(3, 2)
    expect(Array.from(t.start)).toEqual([0, 1])
    expect(Array.from(t.weights[0]!)).toEqual([1 / 1.5, 0.5 / 1.5])
    expect(Array.from(t.weights[1]!)).toEqual([0.5 / 1.5, 1 / 1.5])
    for (const [i, o] of [
      [50, 32],
      [35, 32],
      [512, 32],
      [24, 32],
      [1, 5],
    ] as const) {
      for (const w of areaTable(i, o).weights) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    }
    expect(() => areaTable(0, 4)).toThrow(RangeError)
  })

  it('averages 2 × 2 blocks when halving and copies pixels when doubling', () => {
    // 4 × 2 image, pixel (u, v) at u + 4v.
    const image = [1, 3, 5, 7, 2, 4, 6, 8]
    const out = new Float32Array(2)
    resizeArea(image, 4, 2, areaTable(4, 2), areaTable(2, 1), out)
    expect(Array.from(out)).toEqual([2.5, 6.5])
    const up = new Float32Array(16)
    resizeArea([1, 2, 3, 4], 2, 2, areaTable(2, 4), areaTable(2, 4), up)
    expect(Array.from(up)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
  })

  it('keeps the mean of the image and writes at the offset', () => {
    const w = 35
    const h = 50
    const image = Array.from({ length: w * h }, (_, p) => Math.sin(p) * 10 + (p % 7))
    const out = new Float32Array(3 + 32 * 32)
    resizeArea(image, w, h, areaTable(w, 32), areaTable(h, 32), out, 3)
    const mean = (xs: ArrayLike<number>, from = 0) => Array.from(xs).slice(from).reduce((a, b) => a + b, 0) / (xs.length - from)
    expect(mean(out, 3)).toBeCloseTo(mean(image), 4)
    expect(out[0]).toBe(0)
  })
})
