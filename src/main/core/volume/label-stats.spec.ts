import { describe, expect, it } from 'vitest'
import { foregroundSliceCount, foregroundSliceIndices, labelVoxelCounts } from './label-stats'
import type { Dims } from './slice-axis'

describe('labelVoxelCounts', () => {
  it('counts every value present, keyed as strings', () => {
    expect(labelVoxelCounts(Uint8Array.from([0, 0, 2, 1, 2, 0, 255]))).toEqual({ '0': 3, '1': 1, '2': 2, '255': 1 })
    expect(labelVoxelCounts(Int16Array.from([300, 0, 300]))).toEqual({ '0': 1, '300': 2 })
    expect(labelVoxelCounts(new Uint8Array(0))).toEqual({})
  })
})

describe('foregroundSliceIndices / foregroundSliceCount', () => {
  // 3×2×4 volume with labels at (1, 0, 1), (2, 1, 1) and (0, 1, 3).
  const dims: Dims = [3, 2, 4]
  const data = new Uint8Array(24)
  data[1 + 3 * (0 + 2 * 1)] = 1
  data[2 + 3 * (1 + 2 * 1)] = 2
  data[0 + 3 * (1 + 2 * 3)] = 1

  it('finds the slices with foreground along each axis', () => {
    expect(foregroundSliceIndices(dims, data, 0)).toEqual([0, 1, 2])
    expect(foregroundSliceIndices(dims, data, 1)).toEqual([0, 1])
    expect(foregroundSliceIndices(dims, data, 2)).toEqual([1, 3])
    expect(foregroundSliceCount(dims, data, 2)).toBe(2)
    expect(foregroundSliceCount(dims, new Uint8Array(24), 2)).toBe(0)
  })

  it('refuses data that does not match the dims', () => {
    expect(() => foregroundSliceCount(dims, new Uint8Array(5), 0)).toThrow(RangeError)
  })
})
