/** One feature vector per slice, row-major: row i is slice i of a volume (or of a joint list). */
export interface FeatureMatrix {
  rows: number
  cols: number
  /** rows × cols values, row after row. */
  data: Float32Array
}

/** Checks that data holds exactly rows × cols finite values, naming what is wrong. */
export function checkFeatureMatrix(m: FeatureMatrix): void {
  if (!Number.isInteger(m.rows) || m.rows < 0 || !Number.isInteger(m.cols) || m.cols < 0) {
    throw new RangeError(`feature matrix shape ${m.rows}×${m.cols} must be non-negative integers`)
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`feature matrix ${m.rows}×${m.cols} needs ${m.rows * m.cols} values but has ${m.data.length}`)
  }
  // A NaN would make every distance comparison false and silently pin the selection to index 0.
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i] as number)) throw new RangeError(`feature matrix value ${i} (row ${Math.floor(i / Math.max(1, m.cols))}) is not finite`)
  }
}

/** A matrix from an array of equally long rows (handy in tests and for small hand-built cases). */
export function featureMatrixFromRows(rows: readonly (readonly number[])[]): FeatureMatrix {
  const cols = rows[0]?.length ?? 0
  const data = new Float32Array(rows.length * cols)
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`row ${i} has ${r.length} values, row 0 has ${cols}`)
    data.set(r, i * cols)
  })
  return { rows: rows.length, cols, data }
}

/** Row i as a view (no copy). */
export function featureRow(m: FeatureMatrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols)
}

/** Squared Euclidean distance between rows i and j (accumulated in float64). */
export function squaredDistance(m: FeatureMatrix, i: number, j: number): number {
  const { cols, data } = m
  let s = 0
  for (let c = 0, a = i * cols, b = j * cols; c < cols; c++, a++, b++) {
    const d = (data[a] as number) - (data[b] as number)
    s += d * d
  }
  return s
}

/** Squared Euclidean distance between row i and a vector of length cols. */
export function squaredDistanceTo(m: FeatureMatrix, i: number, v: ArrayLike<number>): number {
  const { cols, data } = m
  let s = 0
  for (let c = 0, a = i * cols; c < cols; c++, a++) {
    const d = (data[a] as number) - (v[c] as number)
    s += d * d
  }
  return s
}

/** Euclidean distance between rows i and j. */
export function distance(m: FeatureMatrix, i: number, j: number): number {
  return Math.sqrt(squaredDistance(m, i, j))
}

/** The column means (float64, so long sums of float32 rows keep their precision). */
export function columnMeans(m: FeatureMatrix): Float64Array {
  const mean = new Float64Array(m.cols)
  if (m.rows === 0) return mean
  for (let r = 0, p = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++, p++) mean[c]! += m.data[p] as number
  for (let c = 0; c < m.cols; c++) mean[c]! /= m.rows
  return mean
}

/** The lowest-index row nearest to a vector: deterministic, so ties never depend on iteration details. */
export function nearestRowTo(m: FeatureMatrix, v: ArrayLike<number>, rows?: readonly number[]): number {
  let best = -1
  let bestD = Infinity
  const n = rows ? rows.length : m.rows
  for (let t = 0; t < n; t++) {
    const i = rows ? (rows[t] as number) : t
    const d = squaredDistanceTo(m, i, v)
    if (d < bestD || (d === bestD && i < best)) {
      bestD = d
      best = i
    }
  }
  return best
}

/** The rows of several matrices (same cols) stacked into one, and where each one's rows start. */
export function stackRows(parts: readonly FeatureMatrix[]): { matrix: FeatureMatrix; offsets: number[] } {
  const cols = parts[0]?.cols ?? 0
  let rows = 0
  const offsets: number[] = []
  parts.forEach((p, v) => {
    if (p.cols !== cols) throw new RangeError(`feature matrix ${v} has ${p.cols} columns, matrix 0 has ${cols}: joint selection needs one feature space`)
    offsets.push(rows)
    rows += p.rows
  })
  const data = new Float32Array(rows * cols)
  parts.forEach((p, v) => data.set(p.data, (offsets[v] as number) * cols))
  return { matrix: { rows, cols, data }, offsets }
}

/**
 * For every row, the distance to its nearest selected row: the coverage profile of a selection.
 * Its mean is the k-medoids objective / n, its maximum the k-center covering radius.
 */
export function coverageDistances(m: FeatureMatrix, selected: readonly number[]): Float64Array {
  if (selected.length === 0) throw new RangeError('coverage of an empty selection is undefined')
  const out = new Float64Array(m.rows).fill(Infinity)
  for (const s of selected) {
    for (let i = 0; i < m.rows; i++) {
      const d = squaredDistance(m, i, s)
      if (d < (out[i] as number)) out[i] = d
    }
  }
  for (let i = 0; i < m.rows; i++) out[i] = Math.sqrt(out[i] as number)
  return out
}

/** Mean distance of every row to its nearest selected row (lower is better coverage). */
export function meanCoverageDistance(m: FeatureMatrix, selected: readonly number[]): number {
  const d = coverageDistances(m, selected)
  let s = 0
  for (const x of d) s += x
  return m.rows > 0 ? s / m.rows : 0
}

/** Largest distance of any row to its nearest selected row: the k-center covering radius. */
export function coveringRadius(m: FeatureMatrix, selected: readonly number[]): number {
  let r = 0
  for (const x of coverageDistances(m, selected)) if (x > r) r = x
  return r
}
