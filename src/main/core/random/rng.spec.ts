import { describe, expect, it } from 'vitest'
import { createRng, deriveRng } from './rng'

describe('createRng', () => {
  it('replays the same sequence for the same seed and differs across seeds', () => {
    const a = createRng(42)
    const b = createRng(42)
    const c = createRng(43)
    const seqA = Array.from({ length: 20 }, () => a.next())
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA)
  })

  it('is roughly uniform: chi-square over 10 bins stays below the 0.999 quantile (27.88, 9 dof)', () => {
    const rng = createRng(7)
    const bins = new Array<number>(10).fill(0)
    const n = 100_000
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < n; i++) {
      const v = rng.next()
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
      bins[Math.floor(v * 10)]! += 1
    }
    expect(lo).toBeGreaterThanOrEqual(0)
    expect(hi).toBeLessThan(1)
    const expected = n / 10
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0)
    expect(chi2).toBeLessThan(27.88)
  })

  it('shuffles into a permutation without touching the input', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8]
    const out = createRng(1).shuffle(items)
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect([...out].sort((x, y) => x - y)).toEqual(items)
  })

  it('refuses bad seeds and bounds', () => {
    expect(() => createRng(-1)).toThrow(/non-negative integer/)
    expect(() => createRng(1.5)).toThrow(/non-negative integer/)
    expect(() => createRng(1).int(0)).toThrow(/positive integer/)
  })
})

describe('deriveRng', () => {
  it('depends only on the seed and the labels', () => {
    const draw = (seed: number, label: string): number[] => {
      const rng = deriveRng(seed, label)
      return [rng.next(), rng.next(), rng.next()]
    }
    expect(draw(1, 'case_001')).toEqual(draw(1, 'case_001'))
    expect(draw(1, 'case_001')).not.toEqual(draw(1, 'case_002'))
    expect(draw(1, 'case_001')).not.toEqual(draw(2, 'case_001'))
  })
})
