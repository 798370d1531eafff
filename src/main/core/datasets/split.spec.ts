import { describe, expect, it } from 'vitest'
import { defaultSplitFractions } from '../../../shared/dataset'
import { seededSplit, splitCounts } from './split'

describe('splitCounts', () => {
  it('gives about 75/8/17 % by default', () => {
    expect(splitCounts(260, defaultSplitFractions)).toEqual({ train: 195, val: 21, test: 44 })
    expect(splitCounts(20, defaultSplitFractions)).toEqual({ train: 15, val: 2, test: 3 })
    expect(splitCounts(100, defaultSplitFractions)).toEqual({ train: 75, val: 8, test: 17 })
  })

  it('keeps one training volume when the held-out sets would take everything', () => {
    expect(splitCounts(1, defaultSplitFractions)).toEqual({ train: 1, val: 0, test: 0 })
    expect(splitCounts(2, { train: 0.1, val: 0.45, test: 0.45 })).toEqual({ train: 1, val: 1, test: 0 })
  })

  it('honours custom fractions', () => {
    expect(splitCounts(10, { train: 0.6, val: 0.2, test: 0.2 })).toEqual({ train: 6, val: 2, test: 2 })
  })
})

describe('seededSplit', () => {
  const ids = Array.from({ length: 40 }, (_, i) => `case_${String(i).padStart(3, '0')}`)

  it('replays for the same seed whatever order the ids come in', () => {
    const a = seededSplit(ids, defaultSplitFractions, 3)
    const b = seededSplit([...ids].reverse(), defaultSplitFractions, 3)
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort())
  })

  it('assigns every id once with the right counts, and differs across seeds', () => {
    const a = seededSplit(ids, defaultSplitFractions, 3)
    const c = seededSplit(ids, defaultSplitFractions, 4)
    expect(a.size).toBe(40)
    const count = (m: Map<string, string>, s: string): number => [...m.values()].filter((v) => v === s).length
    expect([count(a, 'train'), count(a, 'val'), count(a, 'test')]).toEqual([30, 3, 7])
    expect([...a.entries()]).not.toEqual([...c.entries()])
  })
})
