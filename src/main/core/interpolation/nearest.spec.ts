import { describe, expect, it } from 'vitest'
import { run } from './spec-helpers'

describe('interpolateNearest', () => {
  it('copies the nearest annotated slice everywhere, ties to the lower index', () => {
    // 1×1×7 volume: annotated slice 1 has label 3, slice 5 has label 4.
    const sparse = new Uint8Array([9, 3, 9, 9, 9, 4, 9])
    const { dense, slices } = run([1, 1, 7], new Float32Array(7), sparse, [5, 1], 'nearest')
    // Slice 3 is 2 from both: the lower (slice 1) wins.
    expect(Array.from(dense)).toEqual([3, 3, 3, 3, 4, 4, 4])
    expect(slices.map((s) => s.source)).toEqual(['interpolated', 'annotated', 'interpolated', 'interpolated', 'interpolated', 'annotated', 'interpolated'])
    expect(slices.map((s) => s.distance)).toEqual([1, 0, 1, 2, 1, 0, 1])
  })
})
