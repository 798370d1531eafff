import { describe, expect, it } from 'vitest'
import { sliceIndexNote, sliceNumber, sliceOfCount } from './slice-numbers'

describe('slice numbers on screen', () => {
  it('count from 1 to the slice count, as "of 35 slices" does, and keep the 0-based index for the hover', () => {
    expect(sliceNumber(0)).toBe(1)
    expect(sliceOfCount(17, 35)).toBe('Slice 18 of 35')
    expect(sliceOfCount(34, 35)).toBe('Slice 35 of 35')
    expect(sliceIndexNote(17)).toBe('index 17 (from 0, as in plans and exports)')
  })
})
