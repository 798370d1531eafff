import { describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { selectFixedInterval } from './fixed-interval'
import { contractViolation } from './synthetic.spec-helpers'

/** 200 seeded (n, k) pairs with n up to 300, including the edges k = 1 and k = n. */
function pairs(seed: number): [number, number][] {
  const rng = createRng(seed)
  const out: [number, number][] = [
    [1, 1],
    [300, 300],
    [300, 1],
  ]
  while (out.length < 200) {
    const n = 1 + rng.int(300)
    out.push([n, 1 + rng.int(n)])
  }
  return out
}

describe('selectFixedInterval', () => {
  it('returns k sorted distinct in-range slices for 200 (n, k) pairs and offsets 0, 0.25, 0.5, 0.999', () => {
    for (const offset of [0, 0.25, 0.5, 0.999]) {
      for (const [n, k] of pairs(1)) expect(contractViolation(selectFixedInterval(n, k, offset), n, k), `n=${n} k=${k} offset=${offset}`).toBe('')
    }
  })

  it('spaces slices evenly: gaps are floor(n/k) or ceil(n/k), and the first slice sits at floor(offset·n/k)', () => {
    for (const offset of [0, 0.5, 0.9]) {
      for (const [n, k] of pairs(2)) {
        const s = selectFixedInterval(n, k, offset)
        expect(s[0]).toBe(Math.floor((offset * n) / k))
        const gaps = s.slice(1).map((v, i) => v - (s[i] as number))
        if (gaps.length === 0) continue
        expect(Math.max(...gaps) - Math.min(...gaps), `n=${n} k=${k}`).toBeLessThanOrEqual(1)
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(Math.floor(n / k))
        expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil(n / k))
      }
    }
  })

  it('matches hand-worked cases (centred by default)', () => {
    expect(selectFixedInterval(10, 2)).toEqual([2, 7])
    expect(selectFixedInterval(10, 5)).toEqual([1, 3, 5, 7, 9])
    expect(selectFixedInterval(10, 5, 0)).toEqual([0, 2, 4, 6, 8])
    expect(selectFixedInterval(36, 4)).toEqual([4, 13, 22, 31])
    expect(selectFixedInterval(7, 3)).toEqual([1, 3, 5])
  })

  it('returns every slice when k = n, for any offset', () => {
    for (const n of [1, 2, 17, 300]) for (const offset of [0, 0.5, 0.99]) expect(selectFixedInterval(n, n, offset)).toEqual(Array.from({ length: n }, (_, i) => i))
  })

  it('is a pure function of (n, k, offset)', () => {
    expect(selectFixedInterval(123, 17, 0.3)).toEqual(selectFixedInterval(123, 17, 0.3))
  })

  it('rejects k < 1, k > n, non-integers and offsets outside [0, 1) with a RangeError', () => {
    expect(() => selectFixedInterval(10, 0)).toThrow(RangeError)
    expect(() => selectFixedInterval(10, 11)).toThrow(/1\.\.10/)
    expect(() => selectFixedInterval(0, 1)).toThrow(RangeError)
    expect(() => selectFixedInterval(10, 2.5)).toThrow(RangeError)
    expect(() => selectFixedInterval(10, 2, 1)).toThrow(/offset/)
    expect(() => selectFixedInterval(10, 2, -0.1)).toThrow(RangeError)
    expect(() => selectFixedInterval(10, 2, NaN)).toThrow(RangeError)
  })
})
