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
          format: 'nifti',
          container: 'single',
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

describe('parseNiftiHeader: the magic against the container', () => {
  const header = (magic: string, version: 1 | 2 = 1) => buildTestNifti(new Int16Array(6), { version, magic, sclSlope: 2, qformCode: 1, sformCode: 1, description: 'x' })

  it('a pair header (ni1, ni2) is NIfTI in a .hdr and refused as a single file', () => {
    expect(parseNiftiHeader(header('ni1\0'), 'a.hdr', 'pair')).toMatchObject({ version: 1, format: 'nifti', container: 'pair', sclSlope: 2 })
    expect(parseNiftiHeader(header('ni2\0', 2), 'a.hdr', 'pair')).toMatchObject({ version: 2, format: 'nifti' })
    expect(() => parseNiftiHeader(header('ni1\0'), 'a.nii')).toThrow(/a\.nii: is the header of a \.hdr\/\.img pair \(magic "ni1"\); name it \.hdr/)
  })

  it('a single-file magic (n+1) in a .hdr is refused: its voxels would follow in the same file', () => {
    expect(() => parseNiftiHeader(header('n+1\0'), 'a.hdr', 'pair')).toThrow(/a\.hdr: is a \.hdr whose magic "n\+1"/)
  })

  it('a 348-byte pair header without a NIfTI magic is Analyze 7.5: no scaling, no qform / sform', () => {
    for (const magic of ['\0\0\0\0', 'ab\0\0']) {
      const raw = parseNiftiHeader(header(magic), 'a.hdr', 'pair')
      expect(raw).toMatchObject({ format: 'analyze', version: 1, sclSlope: 0, sclInter: 0, qformCode: 0, sformCode: 0, description: 'x' })
      expect(raw.srow).toEqual(Array(12).fill(0))
    }
    // NIfTI-2 has no ancestor: a 540-byte header must carry its magic.
    expect(() => parseNiftiHeader(header('\0\0\0\0', 2), 'a.hdr', 'pair')).toThrow(/not a NIfTI-2 pair header: magic is "\\x00/)
  })
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
