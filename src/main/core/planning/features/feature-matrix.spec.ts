import { describe, expect, it } from 'vitest'
import {
  checkFeatureMatrix,
  columnMeans,
  coverageDistances,
  coveringRadius,
  distance,
  featureMatrixFromRows,
  featureRow,
  meanCoverageDistance,
  nearestRowTo,
  squaredDistance,
  squaredDistanceTo,
  stackRows,
} from './feature-matrix'

const m = featureMatrixFromRows([
  [0, 0],
  [3, 4],
  [6, 8],
  [0, 1],
])

describe('feature matrix helpers', () => {
  it('builds row-major matrices and exposes rows as views', () => {
    expect(m.rows).toBe(4)
    expect(m.cols).toBe(2)
    expect(Array.from(featureRow(m, 1))).toEqual([3, 4])
    expect(() => featureMatrixFromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values/)
    expect(featureMatrixFromRows([])).toEqual({ rows: 0, cols: 0, data: new Float32Array(0) })
  })

  it('computes distances, means and the nearest row (lowest index on ties)', () => {
    expect(squaredDistance(m, 0, 1)).toBe(25)
    expect(distance(m, 0, 2)).toBe(10)
    expect(squaredDistanceTo(m, 1, [0, 0])).toBe(25)
    expect(Array.from(columnMeans(m))).toEqual([2.25, 3.25])
    expect(nearestRowTo(m, [3, 4])).toBe(1)
    expect(nearestRowTo(featureMatrixFromRows([[1], [-1]]), [0])).toBe(0)
    expect(nearestRowTo(m, [5, 5], [0, 3])).toBe(3)
  })

  it('measures coverage: distance to the nearest selected row, its mean and maximum', () => {
    expect(Array.from(coverageDistances(m, [0]))).toEqual([0, 5, 10, 1])
    expect(meanCoverageDistance(m, [0, 2])).toBe((0 + 5 + 0 + 1) / 4)
    expect(coveringRadius(m, [0, 2])).toBe(5)
    expect(() => coverageDistances(m, [])).toThrow(/empty selection/)
  })

  it('stacks matrices with equal columns and reports offsets', () => {
    const { matrix, offsets } = stackRows([m, featureMatrixFromRows([[9, 9]])])
    expect(matrix.rows).toBe(5)
    expect(offsets).toEqual([0, 4])
    expect(Array.from(featureRow(matrix, 4))).toEqual([9, 9])
    expect(() => stackRows([m, featureMatrixFromRows([[1]])])).toThrow(/one feature space/)
  })

  it('rejects a wrong length or non-finite values', () => {
    expect(() => checkFeatureMatrix({ rows: 2, cols: 2, data: new Float32Array(5) })).toThrow(/needs 4 values/)
    expect(() => checkFeatureMatrix({ rows: 1, cols: 2, data: Float32Array.of(1, Infinity) })).toThrow(/value 1 \(row 0\)/)
    expect(() => checkFeatureMatrix(m)).not.toThrow()
  })
})
