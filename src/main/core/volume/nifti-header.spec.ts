import { describe, expect, it } from 'vitest'
import { buildTestNifti } from './nifti.spec-helpers'
import { parseNiftiHeader } from './nifti-header'

describe('parseNiftiHeader', () => {
  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      it(`reads every used field of NIfTI-${version}, ${littleEndian ? 'little' : 'big'}-endian`, () => {
        const bytes = buildTestNifti(new Int16Array(6), {
          version,
          littleEndian,
          dim: [3, 3, 2, 1, 1, 1, 1, 1],
          pixdim: [-1, 0.5, 0.25, 4, 1, 1, 1, 1],
          voxOffset: version === 1 ? 352 : 544,
          sclSlope: 2,
          sclInter: -0.5,
          qformCode: 2,
          sformCode: 4,
          quatern: [0.5, 0.25, -0.5],
          qoffset: [1.5, -2.5, 3],
          srow: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          description: 'T1 weighted',
        })
        expect(parseNiftiHeader(bytes, 's')).toEqual({
          version,
          littleEndian,
          dim: [3, 3, 2, 1, 1, 1, 1, 1],
          datatype: 4,
          pixdim: [-1, 0.5, 0.25, 4, 1, 1, 1, 1],
          voxOffset: version === 1 ? 352 : 544,
          sclSlope: 2,
          sclInter: -0.5,
          qformCode: 2,
          sformCode: 4,
          quatern: [0.5, 0.25, -0.5],
          qoffset: [1.5, -2.5, 3],
          srow: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          description: 'T1 weighted',
        })
      })
    }
  }
})

describe('parseNiftiHeader: description', () => {
  it('decodes UTF-8 up to the first NUL, and takes all 80 bytes when there is none', () => {
    const bytes = buildTestNifti(new Uint8Array(1))
    const text = new TextEncoder().encode('Tête')
    bytes.set(text, 148)
    expect(parseNiftiHeader(bytes, 's').description).toBe('Tête')
    bytes.fill(0x41, 148, 228)
    expect(parseNiftiHeader(bytes, 's').description).toBe('A'.repeat(80))
  })
})
