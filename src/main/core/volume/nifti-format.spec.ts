import { describe, expect, it } from 'vitest'
import { voxelDtypes } from '../../../shared/volume'
import { convertedDtypeByCode, dtypeByCode, dtypeOfArray, unsupportedDtypeNames } from './nifti-format'

describe('dtype table', () => {
  it('covers every VoxelDtype with the NIfTI codes and sizes', () => {
    const table = [...dtypeByCode.values()].map((d) => [d.dtype, d.code, d.bytes])
    expect(table.map((r) => r[0]).sort()).toEqual([...voxelDtypes].sort())
    expect(Object.fromEntries(table.map(([dtype, code]) => [dtype, code]))).toEqual({
      uint8: 2, int16: 4, int32: 8, float32: 16, float64: 64, int8: 256, uint16: 512,
    })
    for (const d of dtypeByCode.values()) expect(d.alloc(3).BYTES_PER_ELEMENT).toBe(d.bytes)
  })

  it('maps typed arrays to their dtype, and refuses others', () => {
    expect(dtypeOfArray(new Uint16Array(1)).dtype).toBe('uint16')
    expect(dtypeOfArray(new Float64Array(1)).code).toBe(64)
    expect(() => dtypeOfArray(new Uint32Array(1) as unknown as Uint8Array)).toThrow(TypeError)
  })

  it('names common unsupported codes and keeps them apart from supported ones', () => {
    expect(unsupportedDtypeNames.get(32)).toBe('complex64')
    for (const code of unsupportedDtypeNames.keys()) expect(dtypeByCode.has(code) || convertedDtypeByCode.has(code)).toBe(false)
  })

  it('reads uint32, int64, uint64 and rgb24 by conversion, apart from the types held as they are', () => {
    expect([...convertedDtypeByCode.values()].map((d) => [d.dtype, d.code, d.bytes])).toEqual([
      ['rgb24', 128, 3],
      ['uint32', 768, 4],
      ['int64', 1024, 8],
      ['uint64', 1280, 8],
    ])
    for (const code of convertedDtypeByCode.keys()) expect(dtypeByCode.has(code)).toBe(false)
  })
})
