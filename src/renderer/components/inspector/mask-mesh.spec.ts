import { describe, expect, it } from 'vitest'
import { foregroundBox, maskMesh, meshSteps, resolutionSteps, type MaskMesh } from './mask-mesh'

type Vec3 = [number, number, number]

/** An n³ grid with label `value` in the box lo…hi (inclusive). */
function boxMask(dims: Vec3, lo: Vec3, hi: Vec3, value = 1): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) out[i + dims[0] * (j + dims[1] * k)] = value
  return out
}

function bounds(mesh: MaskMesh): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity]
  const max: Vec3 = [-Infinity, -Infinity, -Infinity]
  mesh.points.forEach((v, n) => {
    const a = n % 3
    min[a] = Math.min(min[a]!, v)
    max[a] = Math.max(max[a]!, v)
  })
  return { min, max }
}

/** The triangles as point-index triples, points merged by position (the mesh is built unmerged). */
function triangles(mesh: MaskMesh): number[][] {
  const ids = new Map<string, number>()
  const id = (p: number): number => {
    const key = [0, 1, 2].map((a) => (mesh.points[p * 3 + a] ?? 0).toFixed(4)).join(',')
    if (!ids.has(key)) ids.set(key, ids.size)
    return ids.get(key)!
  }
  const out: number[][] = []
  for (let c = 0; c < mesh.polys.length; c += 4) {
    expect(mesh.polys[c]).toBe(3)
    out.push([id(mesh.polys[c + 1]!), id(mesh.polys[c + 2]!), id(mesh.polys[c + 3]!)])
  }
  return out
}

function area(mesh: MaskMesh): number {
  let total = 0
  const p = (i: number): Vec3 => [mesh.points[i * 3]!, mesh.points[i * 3 + 1]!, mesh.points[i * 3 + 2]!]
  for (let c = 0; c < mesh.polys.length; c += 4) {
    const a = p(mesh.polys[c + 1]!)
    const b = p(mesh.polys[c + 2]!)
    const d = p(mesh.polys[c + 3]!)
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
    const v = [d[0] - a[0], d[1] - a[1], d[2] - a[2]]
    total += Math.hypot(u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!) / 2
  }
  return total
}

describe('maskMesh', () => {
  it('puts the surface of a box of voxels half a voxel outside its voxel centres, in index × spacing', () => {
    const dims: Vec3 = [10, 9, 11]
    const spacing: Vec3 = [1, 2, 0.5]
    const values = boxMask(dims, [3, 2, 4], [6, 5, 7], 2)
    const box = foregroundBox(values, dims)
    expect(box).toEqual({ lo: [3, 2, 4], hi: [6, 5, 7] })
    const mesh = maskMesh(values, dims, spacing, box!, 1)
    const { min, max } = bounds(mesh)
    ;[2.5 * 1, 1.5 * 2, 3.5 * 0.5].forEach((v, a) => expect(min[a]).toBeCloseTo(v, 5))
    ;[6.5 * 1, 5.5 * 2, 7.5 * 0.5].forEach((v, a) => expect(max[a]).toBeCloseTo(v, 5))
    expect(mesh.normals.length).toBe(mesh.points.length)
  })

  it('closes the surface of a 4³ cube (every edge in two triangles) with the area of a cube with bevelled edges', () => {
    const dims: Vec3 = [8, 8, 8]
    const values = boxMask(dims, [2, 2, 2], [5, 5, 5])
    const mesh = maskMesh(values, dims, [1, 1, 1], foregroundBox(values, dims)!, 1)
    const edges = new Map<string, number>()
    for (const t of triangles(mesh)) {
      const sides: [number, number][] = [[t[0]!, t[1]!], [t[1]!, t[2]!], [t[2]!, t[0]!]]
      for (const [a, b] of sides) {
        const key = a < b ? `${a}-${b}` : `${b}-${a}`
        edges.set(key, (edges.get(key) ?? 0) + 1)
      }
    }
    expect(edges.size).toBeGreaterThan(0)
    expect([...edges.values()].every((n) => n === 2)).toBe(true)
    // Flat faces 3×3, each of the 12 edges a 3-long chamfer √½ wide, each of the 8 corners a triangle of side √½.
    const expected = 6 * 9 + 12 * 3 * Math.SQRT1_2 + 8 * (Math.sqrt(3) / 4) * 0.5
    expect(area(mesh)).toBeCloseTo(expected, 3)
  })

  it('keeps a one-voxel-thin plate at half resolution', () => {
    const dims: Vec3 = [12, 12, 12]
    const values = boxMask(dims, [1, 1, 6], [10, 10, 6])
    const mesh = maskMesh(values, dims, [1, 1, 1], foregroundBox(values, dims)!, 2)
    expect(mesh.step).toBe(2)
    expect(mesh.polys.length).toBeGreaterThan(0)
    const { min, max } = bounds(mesh)
    // The plate covers i, j = 1…10: at half resolution its blocks span 0.5 … 10.5 at most one block wider.
    expect(min[0]).toBeLessThanOrEqual(0.5)
    expect(max[0]).toBeGreaterThanOrEqual(10.5)
  })
})

describe('meshSteps and resolutionSteps', () => {
  it('meshes a small mask once at full resolution and an empty one as one empty final mesh', () => {
    const dims: Vec3 = [6, 6, 6]
    const small = [...meshSteps({ id: 7, values: boxMask(dims, [1, 1, 1], [3, 3, 3]), dims, spacing: [1, 1, 1] })]
    expect(small.map((r) => ('mesh' in r ? [r.id, r.mesh.step, r.final, r.mesh.polys.length > 0] : r))).toEqual([[7, 1, true, true]])
    const empty = [...meshSteps({ id: 8, values: new Uint8Array(216), dims, spacing: [1, 1, 1] })]
    expect(empty.map((r) => ('mesh' in r ? [r.id, r.final, r.mesh.points.length] : r))).toEqual([[8, true, 0]])
  })

  it('goes coarse first only past the full-resolution cell budget', () => {
    expect(resolutionSteps({ lo: [0, 0, 0], hi: [99, 99, 99] })).toEqual([1])
    expect(resolutionSteps({ lo: [0, 0, 0], hi: [199, 199, 199] })).toEqual([2, 1])
  })
})
