import type { Vec3 } from '../../../shared/volume'

/** A 4×4 row-major affine that scales by `spacing`, no rotation, no translation. */
export function diagonalAffine(spacing: readonly [number, number, number]): number[] {
  return [spacing[0], 0, 0, 0, 0, spacing[1], 0, 0, 0, 0, spacing[2], 0, 0, 0, 0, 1]
}

/**
 * The affine nibabel's AnalyzeHeader gives an Analyze 7.5 image (its get_base_affine): the voxel sizes on the
 * diagonal with x negated (Analyze's default radiological storage, nibabel's default_x_flip), and the origin at
 * the array's centre. Only the first three of `shape` / `zooms` count; a 2D image has a third extent and size of 1.
 * A zoom that is 0 or not finite (which nibabel would put in as it is, making the affine singular) counts as 1.
 */
export function analyzeAffine(shape: readonly number[], zooms: readonly number[]): number[] {
  const out = diagonalAffine([1, 1, 1])
  for (let axis = 0; axis < 3; axis++) {
    const extent = axis < shape.length ? (shape[axis] as number) : 1
    const given = axis < zooms.length ? (zooms[axis] as number) : 1
    const zoom = (Number.isFinite(given) && given !== 0 ? given : 1) * (axis === 0 ? -1 : 1)
    out[axis * 5] = zoom
    out[axis * 4 + 3] = (-(extent - 1) / 2) * zoom
  }
  return out
}

/** A NIfTI qform: rotation quaternion (b, c, d; a is implied ≥ 0), offset, and the qfac sign of the k axis. */
export interface Quatern {
  b: number
  c: number
  d: number
  offset: Vec3
  /** +1 or −1: NIfTI's pixdim[0]; −1 flips the k axis so left-handed grids can be expressed. */
  qfac: 1 | -1
}

/**
 * The 4×4 row-major affine of a NIfTI qform, following the NIfTI-1 standard:
 * R(a,b,c,d) · diag(dx, dy, qfac·dz) plus the offset. `a` is recomputed from b, c, d; when b²+c²+d² ≥ 1
 * (float rounding in the file) a is 0 and (b, c, d) is renormalised so R stays a rotation.
 */
export function quaternToAffine(q: Quatern, spacing: readonly [number, number, number]): number[] {
  let { b, c, d } = q
  const s = b * b + c * c + d * d
  let a: number
  if (s < 1 - 1e-7) {
    a = Math.sqrt(1 - s)
  } else {
    const n = Math.sqrt(s)
    a = 0
    b /= n
    c /= n
    d /= n
  }
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ]
  const scale = [spacing[0], spacing[1], q.qfac * spacing[2]]
  const out: number[] = []
  for (let row = 0; row < 3; row++) {
    const rr = r[row] as number[]
    for (let col = 0; col < 3; col++) out.push((rr[col] as number) * (scale[col] as number))
    out.push(q.offset[row] as number)
  }
  out.push(0, 0, 0, 1)
  return out
}

/** Determinant of the 3×3 part of a 4×4 row-major affine. */
export function det3(m: readonly number[]): number {
  const g = (r: number, c: number) => m[r * 4 + c] ?? 0
  return (
    g(0, 0) * (g(1, 1) * g(2, 2) - g(1, 2) * g(2, 1)) -
    g(0, 1) * (g(1, 0) * g(2, 2) - g(1, 2) * g(2, 0)) +
    g(0, 2) * (g(1, 0) * g(2, 1) - g(1, 1) * g(2, 0))
  )
}

type Mat3 = number[][]

/**
 * The rotation nearest to M (polar decomposition by Newton iteration R ← (R + R⁻ᵀ)/2).
 * A qform can only hold rotation + per-axis scale; an affine with shear has no exact qform, and the
 * nearest rotation is the standard approximation (the sform still carries the exact matrix).
 */
function nearestRotation(m: Mat3): Mat3 {
  let r = m.map((row) => row.slice())
  for (let iter = 0; iter < 50; iter++) {
    const inv = inverse3(r)
    if (!inv) break
    let change = 0
    const next = r.map((row, i) =>
      row.map((v, j) => {
        const nv = 0.5 * (v + ((inv[j] as number[])[i] as number))
        change = Math.max(change, Math.abs(nv - v))
        return nv
      }),
    )
    r = next
    if (change < 1e-12) break
  }
  return r
}

function inverse3(m: Mat3): Mat3 | undefined {
  const g = (r: number, c: number) => (m[r] as number[])[c] as number
  const c00 = g(1, 1) * g(2, 2) - g(1, 2) * g(2, 1)
  const c01 = g(1, 2) * g(2, 0) - g(1, 0) * g(2, 2)
  const c02 = g(1, 0) * g(2, 1) - g(1, 1) * g(2, 0)
  const det = g(0, 0) * c00 + g(0, 1) * c01 + g(0, 2) * c02
  if (!(Math.abs(det) > 1e-300)) return undefined
  const k = 1 / det
  return [
    [c00 * k, (g(0, 2) * g(2, 1) - g(0, 1) * g(2, 2)) * k, (g(0, 1) * g(1, 2) - g(0, 2) * g(1, 1)) * k],
    [c01 * k, (g(0, 0) * g(2, 2) - g(0, 2) * g(2, 0)) * k, (g(0, 2) * g(1, 0) - g(0, 0) * g(1, 2)) * k],
    [c02 * k, (g(0, 1) * g(2, 0) - g(0, 0) * g(2, 1)) * k, (g(0, 0) * g(1, 1) - g(0, 1) * g(1, 0)) * k],
  ]
}

/**
 * The qform (quaternion, offset, qfac) that best expresses a 4×4 row-major affine.
 * Columns are divided by their lengths (the voxel sizes); a negative determinant is a left-handed grid,
 * expressed as qfac = −1 with the k column negated so the remainder is a proper rotation.
 * A degenerate 3×3 part (a zero column) yields the identity rotation.
 */
export function affineToQuatern(affine: readonly number[]): Quatern {
  const g = (r: number, c: number) => affine[r * 4 + c] ?? 0
  const offset: Vec3 = [g(0, 3), g(1, 3), g(2, 3)]
  const qfac: 1 | -1 = det3(affine) < 0 ? -1 : 1
  const m: Mat3 = [[], [], []]
  for (let col = 0; col < 3; col++) {
    const norm = Math.hypot(g(0, col), g(1, col), g(2, col))
    if (!(norm > 0) || !Number.isFinite(norm)) return { b: 0, c: 0, d: 0, offset, qfac }
    const sign = col === 2 ? qfac : 1
    for (let row = 0; row < 3; row++) (m[row] as number[])[col] = (sign * g(row, col)) / norm
  }
  const r = nearestRotation(m)
  const e = (i: number, j: number) => (r[i] as number[])[j] as number
  // Shepperd's method: pick the largest of 4a², 4b², 4c², 4d² as the pivot for numerical stability.
  const trace = e(0, 0) + e(1, 1) + e(2, 2)
  let a: number, b: number, c: number, d: number
  if (trace > 0) {
    const s = 2 * Math.sqrt(1 + trace)
    a = s / 4
    b = (e(2, 1) - e(1, 2)) / s
    c = (e(0, 2) - e(2, 0)) / s
    d = (e(1, 0) - e(0, 1)) / s
  } else if (e(0, 0) > e(1, 1) && e(0, 0) > e(2, 2)) {
    const s = 2 * Math.sqrt(1 + e(0, 0) - e(1, 1) - e(2, 2))
    a = (e(2, 1) - e(1, 2)) / s
    b = s / 4
    c = (e(0, 1) + e(1, 0)) / s
    d = (e(0, 2) + e(2, 0)) / s
  } else if (e(1, 1) > e(2, 2)) {
    const s = 2 * Math.sqrt(1 + e(1, 1) - e(0, 0) - e(2, 2))
    a = (e(0, 2) - e(2, 0)) / s
    b = (e(0, 1) + e(1, 0)) / s
    c = s / 4
    d = (e(1, 2) + e(2, 1)) / s
  } else {
    const s = 2 * Math.sqrt(1 + e(2, 2) - e(0, 0) - e(1, 1))
    a = (e(1, 0) - e(0, 1)) / s
    b = (e(0, 2) + e(2, 0)) / s
    c = (e(1, 2) + e(2, 1)) / s
    d = s / 4
  }
  // NIfTI stores only b, c, d and implies a = sqrt(1 − b² − c² − d²) ≥ 0; q and −q are the same rotation.
  if (a < 0) {
    b = -b
    c = -c
    d = -d
  }
  return { b, c, d, offset, qfac }
}
