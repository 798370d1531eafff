import { describe, expect, it } from 'vitest'
import { affineToQuatern, det3, diagonalAffine, quaternToAffine } from './nifti-affine'

/** Rotation matrix (3×3, row-major) about a unit axis by an angle (Rodrigues). */
function rotation(axis: [number, number, number], angle: number): number[][] {
  const [x, y, z] = axis
  const c = Math.cos(angle)
  const s = Math.sin(angle)
  const t = 1 - c
  return [
    [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
    [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
    [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
  ]
}

/** 4×4 row-major affine R · diag(scale) + offset. */
function affineOf(r: number[][], scale: number[], offset: number[]): number[] {
  const out: number[] = []
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) out.push((r[row]![col] as number) * (scale[col] as number))
    out.push(offset[row] as number)
  }
  return [...out, 0, 0, 0, 1]
}

function expectClose(actual: number[], expected: number[]): void {
  actual.forEach((x, n) => expect(x, `element ${n}`).toBeCloseTo(expected[n] as number, 9))
}

describe('affineToQuatern ∘ quaternToAffine', () => {
  const norm = (v: number[]) => v.map((x) => x / Math.hypot(...v)) as [number, number, number]
  const cases: [string, number[][]][] = [
    ['identity', rotation([0, 0, 1], 0)],
    ['30° about x', rotation([1, 0, 0], Math.PI / 6)],
    ['an arbitrary axis, 100°', rotation(norm([1, 2, 3]), (100 * Math.PI) / 180)],
    // 180° turns have trace −1: each exercises a different branch of the quaternion extraction.
    ['180° about x', rotation([1, 0, 0], Math.PI)],
    ['180° about y', rotation([0, 1, 0], Math.PI)],
    ['180° about z', rotation([0, 0, 1], Math.PI)],
    ['179° about a diagonal', rotation(norm([1, 1, 0]), (179 * Math.PI) / 180)],
  ]
  for (const [name, r] of cases) {
    for (const flip of [false, true]) {
      it(`${name}${flip ? ', left-handed (qfac −1)' : ''}`, () => {
        const spacing: [number, number, number] = [0.7, 1.3, 2.9]
        const affine = affineOf(r, [spacing[0], spacing[1], flip ? -spacing[2] : spacing[2]], [4, -5, 6])
        const q = affineToQuatern(affine)
        expect(q.qfac).toBe(flip ? -1 : 1)
        expect(q.b * q.b + q.c * q.c + q.d * q.d).toBeLessThanOrEqual(1 + 1e-12)
        expectClose(quaternToAffine(q, spacing), affine)
      })
    }
  }

  it('a sheared affine gets the nearest rotation (columns stay on their axes)', () => {
    const sheared = [1, 0.05, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    const q = affineToQuatern(sheared)
    const back = quaternToAffine(q, [1, 1, 1])
    expect(det3(back)).toBeCloseTo(1, 9)
    expect(back[0]).toBeGreaterThan(0.99)
    expect(back[5]).toBeGreaterThan(0.99)
    expect(back[10]).toBeGreaterThan(0.99)
  })

  it('a degenerate affine gives the identity rotation and keeps the offset', () => {
    const q = affineToQuatern([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1])
    expect(q).toEqual({ b: 0, c: 0, d: 0, offset: [1, 2, 3], qfac: 1 })
  })

  it('quaternToAffine renormalises b, c, d a hair above unit length (a = 0)', () => {
    const a = quaternToAffine({ b: 1.0000001, c: 0, d: 0, offset: [0, 0, 0], qfac: 1 }, [1, 1, 1])
    expectClose(a, affineOf(rotation([1, 0, 0], Math.PI), [1, 1, 1], [0, 0, 0]))
  })

  it('diagonalAffine scales by spacing', () => {
    expect(diagonalAffine([2, 3, 4])).toEqual([2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1])
  })
})
