/** Eigen-decomposition of a small symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array
  /** Unit eigenvectors, one per row (m × m, row i belongs to values[i]). */
  vectors: Float64Array
}

/**
 * Eigenvalues and eigenvectors of a symmetric m × m matrix (row-major; only read, never changed) by cyclic
 * Jacobi rotations. Jacobi is O(m³) per sweep and needs ~6–10 sweeps, slower than tridiagonal QL for large m,
 * but it is short, unconditionally stable and accurate to working precision even for tiny eigenvalues, and the
 * matrices here are small (PCA's Gram or covariance matrix of at most a few hundred rows, or a Ritz matrix).
 */
export function symmetricEigen(matrix: ArrayLike<number>, m: number, maxSweeps = 60): SymmetricEigen {
  if (matrix.length !== m * m) throw new RangeError(`a ${m}×${m} matrix needs ${m * m} values, got ${matrix.length}`)
  const a = Float64Array.from(matrix)
  // v holds the accumulated rotations; column j ends up as eigenvector j.
  const v = new Float64Array(m * m)
  for (let i = 0; i < m; i++) v[i * m + i] = 1
  let scale = 0
  for (let i = 0; i < m * m; i++) scale += (a[i] as number) ** 2
  scale = Math.sqrt(scale)
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += (a[p * m + q] as number) ** 2
    // Converged when the off-diagonal mass is negligible relative to the whole matrix.
    if (off === 0 || Math.sqrt(off) <= 1e-14 * scale) break
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q] as number
        if (apq === 0) continue
        const app = a[p * m + p] as number
        const aqq = a[q * m + q] as number
        // An element below the rounding of both diagonal entries cannot change them: zero it instead of
        // rotating (Numerical Recipes' rule), or the sweeps never reach an exactly negligible off-diagonal.
        const g = 100 * Math.abs(apq)
        if (Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          a[p * m + q] = 0
          a[q * m + p] = 0
          continue
        }
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form with t = tan θ, |θ| ≤ π/4).
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let r = 0; r < m; r++) {
          const arp = a[r * m + p] as number
          const arq = a[r * m + q] as number
          a[r * m + p] = c * arp - s * arq
          a[r * m + q] = s * arp + c * arq
        }
        for (let r = 0; r < m; r++) {
          const apr = a[p * m + r] as number
          const aqr = a[q * m + r] as number
          a[p * m + r] = c * apr - s * aqr
          a[q * m + r] = s * apr + c * aqr
        }
        for (let r = 0; r < m; r++) {
          const vrp = v[r * m + p] as number
          const vrq = v[r * m + q] as number
          v[r * m + p] = c * vrp - s * vrq
          v[r * m + q] = s * vrp + c * vrq
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => (a[j * m + j] as number) - (a[i * m + i] as number) || i - j)
  const values = new Float64Array(m)
  const vectors = new Float64Array(m * m)
  order.forEach((col, row) => {
    values[row] = a[col * m + col] as number
    for (let r = 0; r < m; r++) vectors[row * m + r] = v[r * m + col] as number
  })
  return { values, vectors }
}
