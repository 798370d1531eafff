import { describe, expect, it } from 'vitest'
import { voxelDtypes } from '../../../shared/volume'
import { dtypeByCode, dtypeOfArray, unsupportedDtypeNames } from './nifti-format'

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
    expect(unsupportedDtypeNames.get(128)).toBe('RGB24')
    for (const code of unsupportedDtypeNames.keys()) expect(dtypeByCode.has(code)).toBe(false)
  })
})
