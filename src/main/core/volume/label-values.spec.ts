import { describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { toLabelArray } from './label-values'

const dims = [2, 2, 1] as const

describe('toLabelArray', () => {
  it('reuses memory where the bits already match', () => {
    const u8 = Uint8Array.from([0, 1, 2, 3])
    expect(toLabelArray(u8, dims, undefined, 's')).toBe(u8)
    const i8 = Int8Array.from([0, 1, 2, 3])
    const asU8 = toLabelArray(i8, dims, undefined, 's')
    expect(asU8).toBeInstanceOf(Uint8Array)
    expect(asU8.buffer).toBe(i8.buffer)
    const u16 = Uint16Array.from([0, 1000, 2, 3])
    const asI16 = toLabelArray(u16, dims, undefined, 's')
    expect(asI16).toBeInstanceOf(Int16Array)
    expect(asI16.buffer).toBe(u16.buffer)
    const i32 = Int32Array.from([0, 100_000, 2, 3])
    expect(toLabelArray(i32, dims, undefined, 's')).toBe(i32)
  })

  it('narrows to the smallest type', () => {
    expect(toLabelArray(Int32Array.from([0, 255, 0, 0]), dims, undefined, 's')).toBeInstanceOf(Uint8Array)
    expect(toLabelArray(Int32Array.from([0, 256, 0, 0]), dims, undefined, 's')).toBeInstanceOf(Int16Array)
    expect(toLabelArray(Float64Array.from([0, 32768, 0, 0]), dims, undefined, 's')).toBeInstanceOf(Int32Array)
  })

  it('rounds scaled values within 1e-3 of an integer, but not unscaled ones', () => {
    const stored = Float32Array.from([0, 10, 20, 30])
    expect(Array.from(toLabelArray(stored, dims, { slope: Math.fround(0.1), inter: 0 }, 's'))).toEqual([0, 1, 2, 3])
    expect(() => toLabelArray(Float64Array.from([0, 1 + 1e-9, 0, 0]), dims, undefined, 's')).toThrow(InputError)
  })

  it('names the source, the voxel and the value', () => {
    expect(() => toLabelArray(Float32Array.from([0, 0, 0, 2.5]), dims, undefined, '/x/l.nii')).toThrow(
      '/x/l.nii: label voxel 3 (i=1, j=1, k=0) has value 2.5',
    )
    expect(() => toLabelArray(Float64Array.from([0, 2 ** 31, 0, 0]), dims, undefined, 's')).toThrow(/too large/)
  })
})
