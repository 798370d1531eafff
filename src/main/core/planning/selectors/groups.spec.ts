import { describe, expect, it } from 'vitest'
import { featureMatrixFromRows } from '../features/feature-matrix'
import { countGroups, groupCentres } from './groups'

describe('groups', () => {
  it('counts groups and rejects gaps, negatives and length mismatches', () => {
    expect(countGroups([0, 0, 1, 2, 2], 5)).toBe(3)
    expect(() => countGroups([0, 2], 2)).toThrow(/group 1 has no rows/)
    expect(() => countGroups([0, -1], 2)).toThrow(RangeError)
    expect(() => countGroups([0], 2)).toThrow(/1 entries for 2 rows/)
  })

  it("picks each group's row nearest its own mean, lowest index on ties", () => {
    const m = featureMatrixFromRows([[0], [1], [2], [10], [20], [5], [7]])
    // Group 0: rows 0, 1, 2 (mean 1 → row 1); group 1: rows 3, 4 (mean 15: both 5 away → row 3); group 2: rows 5, 6 (mean 6 → tie → row 5).
    expect(groupCentres(m, [0, 0, 0, 1, 1, 2, 2])).toEqual([1, 3, 5])
  })
})
