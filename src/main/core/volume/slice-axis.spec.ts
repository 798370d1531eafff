import { describe, expect, it } from 'vitest'
import { extractSlice, sliceAxisFromAffine, sliceCount, sliceShape, voxelIndex, writeSlice, type Dims } from './slice-axis'

// A 2×3×4 grid whose value encodes its coordinates: v = 100·i + 10·j + k.
const dims: Dims = [2, 3, 4]
const grid = new Int16Array(24)
for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) grid[i + 2 * (j + 3 * k)] = 100 * i + 10 * j + k

describe('voxelIndex / sliceCount / sliceShape', () => {
  it('index i-fastest', () => {
    expect(voxelIndex(dims, 0, 0, 0)).toBe(0)
    expect(voxelIndex(dims, 1, 0, 0)).toBe(1)
    expect(voxelIndex(dims, 0, 1, 0)).toBe(2)
    expect(voxelIndex(dims, 0, 0, 1)).toBe(6)
    expect(voxelIndex(dims, 1, 2, 3)).toBe(23)
    expect(grid[voxelIndex(dims, 1, 2, 3)]).toBe(123)
  })

  it('counts and shapes along each axis', () => {
    expect([0, 1, 2].map((a) => sliceCount(dims, a as 0 | 1 | 2))).toEqual([2, 3, 4])
    expect(sliceShape(dims, 0)).toEqual([3, 4])
    expect(sliceShape(dims, 1)).toEqual([2, 4])
    expect(sliceShape(dims, 2)).toEqual([2, 3])
  })
})

describe('extractSlice', () => {
  it('axis 2: (i, j) with i fastest', () => {
    const s = extractSlice(dims, grid, 2, 3)
    expect(s).toBeInstanceOf(Int16Array)
    expect(Array.from(s)).toEqual([3, 103, 13, 113, 23, 123])
  })

  it('axis 1: (i, k) with i fastest', () => {
    expect(Array.from(extractSlice(dims, grid, 1, 2))).toEqual([20, 120, 21, 121, 22, 122, 23, 123])
  })

  it('axis 0: (j, k) with j fastest', () => {
    expect(Array.from(extractSlice(dims, grid, 0, 1))).toEqual([100, 110, 120, 101, 111, 121, 102, 112, 122, 103, 113, 123])
  })

  it('returns a copy, not a view', () => {
    const s = extractSlice(dims, grid, 2, 0)
    s[0] = 999
    expect(grid[0]).toBe(0)
  })

  it('refuses slices out of range and mismatched data', () => {
    expect(() => extractSlice(dims, grid, 2, 4)).toThrow(RangeError)
    expect(() => extractSlice(dims, grid, 0, -1)).toThrow(RangeError)
    expect(() => extractSlice(dims, new Uint8Array(5), 0, 0)).toThrow(/5 voxels/)
  })
})

describe('writeSlice', () => {
  it('is the inverse of extractSlice on every axis', () => {
    for (const axis of [0, 1, 2] as const) {
      for (let index = 0; index < dims[axis]; index++) {
        const target = new Int16Array(24)
        writeSlice(dims, target, axis, index, extractSlice(dims, grid, axis, index))
        // Exactly the voxels of that slice are filled.
        for (let p = 0; p < 24; p++) {
          const coord = [p % 2, Math.floor(p / 2) % 3, Math.floor(p / 6)][axis]
          expect(target[p]).toBe(coord === index ? grid[p] : 0)
        }
      }
    }
  })

  it('writes a plain number array into a Float32Array', () => {
    const data = new Float32Array(24)
    writeSlice(dims, data, 0, 1, [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6])
    expect(data[voxelIndex(dims, 1, 1, 0)]).toBe(1)
    expect(data[voxelIndex(dims, 1, 0, 3)]).toBe(5)
  })

  it('refuses values of the wrong length', () => {
    expect(() => writeSlice(dims, new Int16Array(24), 2, 0, [1, 2, 3])).toThrow(/3 entries/)
  })
})

describe('sliceAxisFromAffine', () => {
  const I = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

  it('identity → 2', () => expect(sliceAxisFromAffine(I)).toBe(2))

  it('a coronal acquisition (array axis 1 along S-I) → 1', () => {
    // i → x, j → z (3 mm slices), k → −y.
    expect(sliceAxisFromAffine([0.9, 0, 0, 0, 0, 0, -0.9, 0, 0, 3, 0, 0, 0, 0, 0, 1])).toBe(1)
  })

  it('a sagittal, permuted acquisition (array axis 0 along S-I) → 0', () => {
    expect(sliceAxisFromAffine([0, 0, -1, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1])).toBe(0)
  })

  it('an oblique acquisition picks the axis most aligned with z, independent of voxel size', () => {
    // Axis 1 tilted 20° from z with 1 mm voxels; axis 2 tilted 70° from z with 5 mm voxels (bigger |z|, smaller ratio).
    const a = (deg: number) => (deg * Math.PI) / 180
    const col1 = [0, Math.sin(a(20)), Math.cos(a(20))]
    const col2 = [0, -5 * Math.cos(a(20)), 5 * Math.sin(a(20))]
    const affine = [1, col1[0], col2[0], 0, 0, col1[1], col2[1], 0, 0, col1[2], col2[2], 0, 0, 0, 0, 1] as number[]
    expect(sliceAxisFromAffine(affine)).toBe(1)
  })

  it('falls back to 2 for degenerate, non-finite or tied affines', () => {
    expect(sliceAxisFromAffine(new Array(16).fill(0))).toBe(2)
    expect(sliceAxisFromAffine([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).toBe(2) // no z at all
    expect(sliceAxisFromAffine([1, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])).toBe(2)
    expect(sliceAxisFromAffine([1, 0, 0])).toBe(2)
    // Axes 0 and 1 both at 45° to z: tied, so 2 even though axis 2 has no z component.
    const h = Math.SQRT1_2
    expect(sliceAxisFromAffine([h, -h, 0, 0, 0, 0, 1, 0, h, h, 0, 0, 0, 0, 0, 1])).toBe(2)
    // A tie within float32 noise still counts as a tie.
    expect(sliceAxisFromAffine([h, -h, 0, 0, 0, 0, 1, 0, h, h * (1 + 1e-8), 0, 0, 0, 0, 0, 1])).toBe(2)
  })
})
