import { describe, expect, it } from 'vitest'
import { paperVolumeFractions } from './budget'
import { selectVolumeSubset } from './subsets'

const ids = Array.from({ length: 195 }, (_, i) => `hippocampus_${String(i).padStart(3, '0')}`)

describe('selectVolumeSubset', () => {
  it('nests the subsets: 1/8 ⊂ 1/4 ⊂ 1/2 ⊂ 1, for many seeds', () => {
    for (let seed = 0; seed < 30; seed++) {
      const subsets = paperVolumeFractions.map((s) => selectVolumeSubset(ids, s, seed))
      expect(subsets.map((s) => s.length)).toEqual([24, 49, 98, 195])
      for (let i = 1; i < subsets.length; i++) {
        const larger = new Set(subsets[i])
        expect(subsets[i - 1]?.every((id) => larger.has(id))).toBe(true)
      }
    }
  })

  it('is seeded, order-independent and sorted; independent mode draws afresh for each s', () => {
    const a = selectVolumeSubset(ids, 0.25, 7)
    expect(selectVolumeSubset([...ids].reverse(), 0.25, 7)).toEqual(a)
    expect(selectVolumeSubset(ids, 0.25, 8)).not.toEqual(a)
    expect([...a].sort()).toEqual(a)
    const small = selectVolumeSubset(ids, 0.125, 7, 'independent')
    const big = new Set(selectVolumeSubset(ids, 0.25, 7, 'independent'))
    expect(small.every((id) => big.has(id))).toBe(false)
  })
})
