import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import type { Volume, VolumeHeader, VoxelArray } from '../../../shared/volume'
import { det3 } from './nifti-affine'
import { parseNifti, readImageFile, readLabelFile } from './nifti-read'
import { encodeNifti, writeNiftiFile } from './nifti-write'
import { volumeFromData } from './volume-from-data'

function volumeOf(data: VoxelArray, dims: [number, number, number], header: Partial<VolumeHeader> = {}): Volume {
  const volume = volumeFromData(dims, data)
  return { header: { ...volume.header, ...header }, data }
}

/** Clears sform_code (bytes 254–255 of an uncompressed NIfTI-1) so the reader falls back to the qform. */
function withoutSform(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice()
  copy[254] = 0
  copy[255] = 0
  return copy
}

function expectAffineClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(16)
  actual.forEach((x, n) => expect(x, `affine[${n}]`).toBeCloseTo(expected[n] as number, digits))
}

const arrays: VoxelArray[] = [
  Uint8Array.from([0, 1, 255, 7, 8, 9]),
  Int8Array.from([-128, 0, 127, 1, 2, 3]),
  Int16Array.from([-32768, 0, 32767, 1, 2, 3]),
  Uint16Array.from([0, 65535, 1, 2, 3, 4]),
  Int32Array.from([-2147483648, 2147483647, 0, 1, 2, 3]),
  Float32Array.from([-1.5, 0, 1e30, NaN, Infinity, 0.1]),
  Float64Array.from([-1.5, 0, 1e300, NaN, -Infinity, 0.1]),
]

describe('encodeNifti', () => {
  for (const data of arrays) {
    for (const gzip of [true, false]) {
      it(`round-trips ${data.constructor.name}${gzip ? ' gzipped' : ''}`, () => {
        const bytes = encodeNifti(volumeOf(data, [3, 2, 1], { spacing: [0.5, 2, 3] }), { gzip })
        expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip)
        const v = parseNifti(bytes, 'x.nii')
        expect(v.data.constructor).toBe(data.constructor)
        expect(Array.from(v.data)).toEqual(Array.from(data))
        expect(v.header).toMatchObject({ dims: [3, 2, 1], spacing: [0.5, 2, 3], niftiVersion: 1, littleEndian: true, sclSlope: 1, sclInter: 0 })
      })
    }
  }

  it('writes the header fields the standard expects', () => {
    const bytes = encodeNifti(volumeOf(Int16Array.from([1, 2, 3, 4]), [2, 2, 1], { description: 'note' }), { gzip: false })
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    expect(bytes.length).toBe(352 + 8)
    expect(v.getInt32(0, true)).toBe(348)
    expect([0, 1, 2, 3, 4].map((n) => v.getInt16(40 + 2 * n, true))).toEqual([3, 2, 2, 1, 1])
    expect(v.getInt16(70, true)).toBe(4) // int16
    expect(v.getInt16(72, true)).toBe(16)
    expect(v.getFloat32(108, true)).toBe(352)
    expect(v.getFloat32(112, true)).toBe(1)
    expect(v.getFloat32(116, true)).toBe(0)
    expect(v.getInt16(252, true)).toBe(1)
    expect(v.getInt16(254, true)).toBe(1)
    expect(String.fromCharCode(...bytes.subarray(344, 348))).toBe('n+1\0')
    expect(Array.from(bytes.subarray(348, 352))).toEqual([0, 0, 0, 0])
    expect(parseNifti(bytes, 'x').header.description).toBe('note')
  })

  it('writes data as held in memory: a scaled image comes back unscaled (slope 1, inter 0)', () => {
    const v = parseNifti(encodeNifti(volumeOf(Float32Array.from([2.5]), [1, 1, 1], { sclSlope: 3, sclInter: 1 })), 'x')
    expect(Array.from(v.data)).toEqual([2.5])
    expect(v.header).toMatchObject({ sclSlope: 1, sclInter: 0 })
  })

  it('cuts a long description at 79 bytes without splitting a UTF-8 character', () => {
    const text = 'é'.repeat(60) // 120 bytes
    const v = parseNifti(encodeNifti(volumeOf(new Uint8Array(1), [1, 1, 1], { description: text })), 'x')
    expect(v.header.description).toBe('é'.repeat(39))
  })

  it('refuses data that does not match the dims', () => {
    expect(() => encodeNifti(volumeOf(new Uint8Array(5), [3, 2, 1]))).toThrow(/need 6 voxels/)
  })
})

describe('encodeNifti: affines through sform and qform', () => {
  // Oblique (30° about x), anisotropic, translated, and flipped along i: determinant < 0.
  const c = Math.cos(Math.PI / 6)
  const s = Math.sin(Math.PI / 6)
  const spacing: [number, number, number] = [0.8, 1.2, 2.5]
  const oblique = [-0.8, 0, 0, 10, 0, 1.2 * c, -2.5 * s, -20, 0, 1.2 * s, 2.5 * c, 30.5, 0, 0, 0, 1]
  // Proper rotation (det > 0): i → y, j → z (3 mm), k → x: a coronal-style acquisition turned 90° about z; axis 1 is S-I.
  const coronal = [0, 0, 1, 1, 1, 0, 0, 2, 0, 3, 0, 3, 0, 0, 0, 1]

  it('has the expected handedness in the fixtures', () => {
    expect(det3(oblique)).toBeLessThan(0)
    expect(det3(coronal)).toBeGreaterThan(0)
  })

  for (const [name, affine, sp] of [
    ['oblique flipped', oblique, spacing],
    ['coronal', coronal, [1, 3, 1]],
  ] as const) {
    it(`${name}: the sform carries the affine, and the qform alone reproduces it`, () => {
      const bytes = encodeNifti(volumeOf(new Uint8Array(24), [2, 3, 4], { affine: [...affine], spacing: [...sp] as [number, number, number] }), { gzip: false })
      const viaSform = parseNifti(bytes, 'x')
      expect(viaSform.header.affineSource).toBe('sform')
      expectAffineClose(viaSform.header.affine, [...affine])
      const viaQform = parseNifti(withoutSform(bytes), 'x')
      expect(viaQform.header.affineSource).toBe('qform')
      expectAffineClose(viaQform.header.affine, [...affine])
      expect(viaQform.header.sliceAxis).toBe(viaSform.header.sliceAxis)
    })
  }

  it('the coronal affine is read with slice axis 1', () => {
    const v = parseNifti(encodeNifti(volumeOf(new Uint8Array(24), [2, 3, 4], { affine: coronal, spacing: [1, 3, 1] })), 'x')
    expect(v.header.sliceAxis).toBe(1)
  })

  it('writes qfac −1 in pixdim[0] for a left-handed affine', () => {
    const bytes = encodeNifti(volumeOf(new Uint8Array(1), [1, 1, 1], { affine: oblique, spacing }), { gzip: false })
    expect(new DataView(bytes.buffer).getFloat32(76, true)).toBe(-1)
  })

  it("an affineSource 'none' volume is written with its affine and codes 1, and read back as 'sform'", () => {
    const none = volumeOf(new Uint8Array(1), [1, 1, 1], { affine: [2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1], spacing: [2, 3, 4], affineSource: 'none' })
    const bytes = encodeNifti(none, { gzip: false })
    const v = parseNifti(bytes, 'x')
    expect(v.header.affineSource).toBe('sform')
    expect(v.header.affine).toEqual(none.header.affine)
    expectAffineClose(parseNifti(withoutSform(bytes), 'x').header.affine, none.header.affine)
  })
})

describe('writeNiftiFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nifti-write-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('gzips when the path ends in .gz, not otherwise, and leaves no temporary file', () => {
    const vol = volumeOf(Uint8Array.from([0, 1, 2, 1, 0, 0]), [3, 2, 1])
    writeNiftiFile(join(dir, 'a.nii.gz'), vol)
    writeNiftiFile(join(dir, 'b.nii'), vol)
    const gz = readFileSync(join(dir, 'a.nii.gz'))
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b])
    expect(readFileSync(join(dir, 'b.nii'))).toEqual(Buffer.from(gunzipSync(gz)))
    expect(Array.from(readLabelFile(join(dir, 'a.nii.gz')).data)).toEqual([0, 1, 2, 1, 0, 0])
    expect(Array.from(readImageFile(join(dir, 'b.nii')).data)).toEqual([0, 1, 2, 1, 0, 0])
    expect(readdirSync(dir).sort()).toEqual(['a.nii.gz', 'b.nii'])
  })

  it('reports an unwritable path as an InputError naming it', () => {
    const path = join(dir, 'no-such-folder', 'c.nii.gz')
    expect(() => writeNiftiFile(path, volumeOf(new Uint8Array(1), [1, 1, 1]))).toThrow(InputError)
    expect(() => writeNiftiFile(path, volumeOf(new Uint8Array(1), [1, 1, 1]))).toThrow(path)
    expect(existsSync(path)).toBe(false)
  })
})
