import { nearestRowTo, type FeatureMatrix } from '../features/feature-matrix'

/**
 * Checks a row → group map (group ids 0..G−1, every id used) and returns G. Selectors given one guarantee at
 * least one selected row per group, which is how the dataset-level variant keeps every selected volume annotated.
 */
export function countGroups(groupOf: ArrayLike<number>, rows: number): number {
  if (groupOf.length !== rows) throw new RangeError(`group map has ${groupOf.length} entries for ${rows} rows`)
  let g = 0
  for (let i = 0; i < rows; i++) {
    const id = groupOf[i] as number
    if (!Number.isInteger(id) || id < 0) throw new RangeError(`row ${i} has group ${id}; groups are integers from 0`)
    if (id + 1 > g) g = id + 1
  }
  const seen = new Uint8Array(g)
  for (let i = 0; i < rows; i++) seen[groupOf[i] as number] = 1
  const missing = seen.indexOf(0)
  if (missing >= 0) throw new RangeError(`group ${missing} has no rows`)
  return g
}

/**
 * One row per group: the lowest-index row nearest to the group's own mean. The most central row is the
 * natural single representative of a group, and it is chosen without randomness.
 */
export function groupCentres(m: FeatureMatrix, groupOf: ArrayLike<number>): number[] {
  const g = countGroups(groupOf, m.rows)
  const members: number[][] = Array.from({ length: g }, () => [])
  for (let i = 0; i < m.rows; i++) members[groupOf[i] as number]!.push(i)
  return members.map((rows) => {
    const mean = new Float64Array(m.cols)
    for (const i of rows) for (let c = 0; c < m.cols; c++) mean[c]! += m.data[i * m.cols + c] as number
    for (let c = 0; c < m.cols; c++) mean[c]! /= rows.length
    return nearestRowTo(m, mean, rows)
  })
}
