import { describe, expect, it } from 'vitest'
import { allIndices, checkSelectionSize } from './check'

describe('checkSelectionSize', () => {
  it('accepts 1 ≤ k ≤ n and names the range otherwise', () => {
    expect(() => checkSelectionSize(5, 1)).not.toThrow()
    expect(() => checkSelectionSize(5, 5)).not.toThrow()
    expect(() => checkSelectionSize(5, 6)).toThrow('cannot select 6 of 5 slices: k must be an integer in 1..5')
    expect(() => checkSelectionSize(5, 0, 'rows')).toThrow(/of 5 rows/)
    expect(() => checkSelectionSize(0, 0)).toThrow(/positive integer/)
    expect(() => checkSelectionSize(4.5, 1)).toThrow(RangeError)
  })

  it('allIndices lists 0..n−1', () => {
    expect(allIndices(4)).toEqual([0, 1, 2, 3])
    expect(allIndices(0)).toEqual([])
  })
})
