import { describe, expect, it } from 'vitest'
import type { Vec3, Volume, VoxelArray } from '../../../shared/volume'
import { cropOrPadToShape, resampleToSpacing } from './resample'
import { volumeFromData } from './volume-from-data'

function vol(data: VoxelArray, dims: [number, number, number], spacing: Vec3 = [1, 1, 1], affine?: number[]): Volume {
  const [a, b, c] = spacing
  return volumeFromData(dims, data, { spacing, affine: affine ?? [a, 0, 0, 10, 0, b, 0, 20, 0, 0, c, 30, 0, 0, 0, 1] })
}

/** World position of voxel (i, j, k) under a 4×4 row-major affine. */
function world(affine: number[], i: number, j: number, k: number): number[] {
  return [0, 1, 2].map((r) => affine[r * 4]! * i + affine[r * 4 + 1]! * j + affine[r * 4 + 2]! * k + affine[r * 4 + 3]!)
}

function ramp(dims: [number, number, number], f: (i: number, j: number, k: number) => number): Float32Array {
  const out = new Float32Array(dims[0] * dims[1] * dims[2])
  for (let k = 0, p = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, p++) out[p] = f(i, j, k)
  return out
}

describe('resampleToSpacing', () => {
  it('identity spacing returns equal data (linear as Float32Array, nearest in the same type) and the same affine', () => {
    const labels = Uint8Array.from({ length: 24 }, (_, n) => n % 3)
    const v = vol(labels, [2, 3, 4], [0.5, 1, 2])
    const lin = resampleToSpacing(v, [0.5, 1, 2], 'linear')
    expect(lin.data).toBeInstanceOf(Float32Array)
    expect(Array.from(lin.data)).toEqual(Array.from(labels))
    const nn = resampleToSpacing(v, [0.5, 1, 2], 'nearest')
    expect(nn.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(nn.data)).toEqual(Array.from(labels))
    expect(nn.header.affine).toEqual(v.header.affine)
    expect(nn.header.dims).toEqual([2, 3, 4])
  })

  it('a linear ramp stays the same ramp (clamped past the last input voxel)', () => {
    const dims: [number, number, number] = [4, 3, 5]
    const f = (i: number, j: number, k: number) => 2 * i + 3 * j + 5 * k
    const out = resampleToSpacing(vol(ramp(dims, f), dims), [0.5, 1, 2], 'linear')
    // 4·1/0.5 = 8, 3·1/1 = 3, 5·1/2 = 2.5 → 3
    expect(out.header.dims).toEqual([8, 3, 3])
    expect(out.header.spacing).toEqual([0.5, 1, 2])
    const expected = ramp([8, 3, 3], (i, j, k) => f(Math.min(i * 0.5, 3), j, Math.min(k * 2, 4)))
    Array.from(out.data).forEach((x, n) => expect(x, `voxel ${n}`).toBeCloseTo(expected[n] as number, 5))
  })

  it('interpolates a hand-computed trilinear value', () => {
    // 2×2×2 cube with corner values; the centre of an upsampled grid is their mean.
    const cube = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7])
    const out = resampleToSpacing(vol(cube, [2, 2, 2], [2, 2, 2]), [1, 1, 1], 'linear')
    expect(out.header.dims).toEqual([4, 4, 4])
    expect(out.data[1 + 4 * (1 + 4 * 1)]).toBeCloseTo(3.5, 6) // position (0.5, 0.5, 0.5)
    expect(out.data[1]).toBeCloseTo(0.5, 6) // (0.5, 0, 0)
  })

  it('keeps the first voxel centre in place and rescales the affine columns', () => {
    const affine = [0, 0, -2, 5, 1.5, 0, 0, 6, 0, 3, 0, 7, 0, 0, 0, 1]
    const v = vol(new Float32Array(4 * 6 * 2), [4, 6, 2], [1.5, 3, 2], affine)
    const out = resampleToSpacing(v, [1, 1, 1], 'linear')
    expect(out.header.dims).toEqual([6, 18, 4])
    expect(world(out.header.affine, 0, 0, 0)).toEqual(world(affine, 0, 0, 0))
    // Output voxel (3, 3, 1) sits at input position (3/1.5, 3/3, 1/2).
    world(out.header.affine, 3, 3, 1).forEach((x, r) => expect(x).toBeCloseTo(world(affine, 2, 1, 0.5)[r] as number, 9))
    expect(out.header.sliceAxis).toBe(1)
  })

  it('nearest keeps the label set and type, rounding halfway up', () => {
    const labels = Uint8Array.from([0, 1, 2, 3])
    const up = resampleToSpacing(vol(labels, [4, 1, 1]), [0.5, 1, 1], 'nearest')
    expect(up.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(up.data)).toEqual([0, 1, 1, 2, 2, 3, 3, 3])
    const down = resampleToSpacing(vol(labels, [4, 1, 1]), [2, 1, 1], 'nearest')
    expect(Array.from(down.data)).toEqual([0, 2])

    const many = Int16Array.from({ length: 7 * 5 * 6 }, (_, n) => [0, 3, 700][(n * 7919) % 3] as number)
    const out = resampleToSpacing(vol(many, [7, 5, 6], [1, 1.3, 0.7]), [0.6, 0.9, 1.1], 'nearest')
    expect(out.data).toBeInstanceOf(Int16Array)
    expect(new Set(out.data)).toEqual(new Set([0, 3, 700]))
  })

  it('refuses non-positive target spacing', () => {
    expect(() => resampleToSpacing(vol(new Float32Array(1), [1, 1, 1]), [0, 1, 1], 'linear')).toThrow(RangeError)
  })
})

describe('cropOrPadToShape', () => {
  const row = (n: number) => Int16Array.from({ length: n }, (_, i) => i + 1)

  it('crops centred, dropping floor(excess / 2) at the start', () => {
    const out = cropOrPadToShape(vol(row(6), [6, 1, 1]), [3, 1, 1])
    expect(Array.from(out.data)).toEqual([2, 3, 4])
    expect(out.data).toBeInstanceOf(Int16Array)
  })

  it('pads centred with the fill value, the odd voxel at the end', () => {
    expect(Array.from(cropOrPadToShape(vol(row(3), [3, 1, 1]), [6, 1, 1], -1).data)).toEqual([-1, 1, 2, 3, -1, -1])
    expect(Array.from(cropOrPadToShape(vol(row(3), [3, 1, 1]), [5, 1, 1]).data)).toEqual([0, 1, 2, 3, 0])
  })

  it('crops one axis while padding another, on a hand-computed grid', () => {
    // 3×2×1: values 1..6, i fastest. Crop i to 1 (keeps i = 1), pad j to 4 (1 before, 1 after).
    const out = cropOrPadToShape(vol(row(6), [3, 2, 1]), [1, 4, 1])
    expect(out.header.dims).toEqual([1, 4, 1])
    expect(Array.from(out.data)).toEqual([0, 2, 5, 0])
  })

  it('moves the affine translation so kept voxels keep their world position', () => {
    const affine = [0, 2, 0, 5, -1, 0, 0, 6, 0, 0, 3, 7, 0, 0, 0, 1]
    const v = vol(new Float32Array(5 * 4 * 3), [5, 4, 3], [1, 2, 3], affine)
    const out = cropOrPadToShape(v, [3, 6, 3])
    // Output (0, 0, 0) is input (1, −1, 0).
    expect(world(out.header.affine, 0, 0, 0)).toEqual(world(affine, 1, -1, 0))
    expect(world(out.header.affine, 2, 5, 2)).toEqual(world(affine, 3, 4, 2))
    expect(out.header.affine.slice(0, 3)).toEqual(affine.slice(0, 3))
  })

  it('the same shape returns equal data', () => {
    const data = row(24)
    expect(Array.from(cropOrPadToShape(vol(data, [2, 3, 4]), [2, 3, 4]).data)).toEqual(Array.from(data))
  })
})
