import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import type { VoxelArray } from '../../../shared/volume'
import { buildTestNifti } from './nifti.spec-helpers'
import { parseNifti, readImage, readImageFile, readLabel, readLabelFile, readVolumeFile } from './nifti-read'

const SRC = '/data/case.nii.gz'

/** Asserts fn throws an InputError whose source is `source` and whose problem matches every pattern. */
function expectInputError(fn: () => unknown, source: string, ...patterns: RegExp[]): InputError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(InputError)
  const e = caught as InputError
  expect(e.source).toBe(source)
  for (const p of patterns) expect(e.problem).toMatch(p)
  return e
}

/** A 3×2×2 volume of each dtype with values that exercise sign, extremes and fractions. */
const samples: Record<string, VoxelArray> = {
  uint8: Uint8Array.from([0, 1, 2, 127, 128, 200, 255, 3, 4, 5, 6, 7]),
  int8: Int8Array.from([-128, -1, 0, 1, 127, 5, -5, 9, 10, 11, 12, 13]),
  int16: Int16Array.from([-32768, -1, 0, 1, 32767, 300, -300, 258, 9, 10, 11, 12]),
  uint16: Uint16Array.from([0, 1, 65535, 32768, 258, 513, 7, 8, 9, 10, 11, 12]),
  int32: Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 16777217, 70000, 8, 9, 10, 11, 12]),
  float32: Float32Array.from([-1.5, 0, 1e-30, 3.25, -0, 1e30, Infinity, NaN, 0.1, 10, 11, 12]),
  float64: Float64Array.from([-1.5, 0, 1e-300, Math.PI, -0, 1e300, -Infinity, NaN, 0.1, 10, 11, 12]),
}

describe('parseNifti: every dtype, both byte orders, both versions', () => {
  for (const [dtype, data] of Object.entries(samples)) {
    for (const version of [1, 2] as const) {
      for (const littleEndian of [true, false]) {
        for (const gzip of [false, true]) {
          it(`${dtype}, NIfTI-${version}, ${littleEndian ? 'little' : 'big'}-endian${gzip ? ', gzipped' : ''}`, () => {
            const bytes = buildTestNifti(data, { version, littleEndian, gzip, shape: [3, 2, 2], pixdim: [1, 0.5, -0.75, 2, 1, 1, 1, 1], description: 'hello' })
            const before = bytes.slice()
            const v = parseNifti(bytes, SRC)
            expect(v.data.constructor).toBe(data.constructor)
            expect(Array.from(v.data)).toEqual(Array.from(data))
            expect(v.header).toMatchObject({
              dims: [3, 2, 2],
              spacing: [0.5, 0.75, 2],
              storedDtype: dtype,
              niftiVersion: version,
              littleEndian,
              affineSource: 'none',
              affine: [0.5, 0, 0, 0, 0, 0.75, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1],
              sliceAxis: 2,
              description: 'hello',
            })
            // The caller's buffer is never modified, even when big-endian data is swapped.
            expect(bytes).toEqual(before)
          })
        }
      }
    }
  }
})

describe('parseNifti: layout and memory', () => {
  it('detects gzip by content, not by name', () => {
    const data = Int16Array.from([1, 2, 3, 4])
    expect(Array.from(parseNifti(buildTestNifti(data, { gzip: true }), 'plain-name.nii').data)).toEqual([1, 2, 3, 4])
    expect(Array.from(parseNifti(buildTestNifti(data), 'looks-gzipped.nii.gz').data)).toEqual([1, 2, 3, 4])
  })

  it('views the caller’s bytes without copying for aligned little-endian .nii', () => {
    const bytes = buildTestNifti(Float32Array.from([1, 2, 3]))
    const v = parseNifti(bytes, SRC)
    expect(v.data.buffer).toBe(bytes.buffer)
    expect(v.data.byteOffset).toBe(352)
  })

  it('copies when the data start is misaligned for the type (vox_offset 353, or an odd byteOffset)', () => {
    const data = Float32Array.from([1.5, -2.5, 3.5])
    const odd = buildTestNifti(data, { voxOffset: 353 })
    expect(Array.from(parseNifti(odd, SRC).data)).toEqual([1.5, -2.5, 3.5])
    const plain = buildTestNifti(data)
    const shifted = new Uint8Array(plain.length + 1)
    shifted.set(plain, 1)
    const v = parseNifti(shifted.subarray(1), SRC)
    expect(Array.from(v.data)).toEqual([1.5, -2.5, 3.5])
    expect(v.data.buffer).not.toBe(shifted.buffer)
  })

  it('reads a 4D file with one frame as 3D, and a 2D file as [x, y, 1]', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6])
    expect(parseNifti(buildTestNifti(data, { dim: [4, 3, 2, 1, 1, 1, 1, 1] }), SRC).header.dims).toEqual([3, 2, 1])
    expect(parseNifti(buildTestNifti(data, { dim: [2, 3, 2, 0, 0, 0, 0, 0], pixdim: [1, 1, 1, 0, 0, 0, 0, 0] }), SRC).header).toMatchObject({
      dims: [3, 2, 1],
      spacing: [1, 1, 1],
    })
    expect(parseNifti(buildTestNifti(data, { dim: [3, 3, 2, 1, 1, 1, 1, 1] }), SRC).header.dims).toEqual([3, 2, 1])
  })

  it('uses the sform when sform_code > 0, even when a qform is also set', () => {
    const srow = [0, 0, -2, 10, -1.5, 0, 0, 20, 0, 3, 0, -30]
    const v = parseNifti(buildTestNifti(new Uint8Array(8), { shape: [2, 2, 2], sformCode: 2, srow, qformCode: 1, quatern: [0, 0, 1] }), SRC)
    expect(v.header.affineSource).toBe('sform')
    expect(v.header.affine).toEqual([...srow, 0, 0, 0, 1])
    // Array axis 1 steps 3 mm along z: the S-I axis.
    expect(v.header.sliceAxis).toBe(1)
  })

  it('builds the qform affine from the quaternion, spacing and qfac when only qform_code > 0', () => {
    // 90° about z (a = d = √½), qfac −1, spacing 2, 3, 4: R = [[0,−1,0],[1,0,0],[0,0,1]] · diag(2, 3, −4).
    const s = Math.SQRT1_2
    const v = parseNifti(
      buildTestNifti(new Uint8Array(8), { shape: [2, 2, 2], qformCode: 1, quatern: [0, 0, s], qoffset: [5, 6, 7], pixdim: [-1, 2, 3, 4, 1, 1, 1, 1] }),
      SRC,
    )
    expect(v.header.affineSource).toBe('qform')
    const expected = [0, -3, 0, 5, 2, 0, 0, 6, 0, 0, -4, 7, 0, 0, 0, 1]
    v.header.affine.forEach((x, n) => expect(x).toBeCloseTo(expected[n] as number, 6))
    expect(v.header.sliceAxis).toBe(2)
  })

  it('qform of a coronal acquisition (90° about x) makes array axis 1 the slice axis', () => {
    const s = Math.SQRT1_2
    // a = b = √½: R = [[1,0,0],[0,0,−1],[0,1,0]], so j runs along z.
    const v = parseNifti(buildTestNifti(new Uint8Array(8), { shape: [2, 2, 2], qformCode: 1, quatern: [s, 0, 0] }), SRC)
    const expected = [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    v.header.affine.forEach((x, n) => expect(x).toBeCloseTo(expected[n] as number, 6))
    expect(v.header.sliceAxis).toBe(1)
  })

  it('reports scl_slope / scl_inter but does not apply them', () => {
    const v = parseNifti(buildTestNifti(Int16Array.from([1, 2]), { sclSlope: 2, sclInter: 10 }), SRC)
    expect(Array.from(v.data)).toEqual([1, 2])
    expect(v.header).toMatchObject({ sclSlope: 2, sclInter: 10 })
  })

  it('reads a non-finite scl_slope as 0 (no scaling)', () => {
    const v = parseNifti(buildTestNifti(Int16Array.from([1, 2]), { sclSlope: NaN }), SRC)
    expect(v.header.sclSlope).toBe(0)
  })
})

describe('parseNifti: bad input is an InputError naming the file', () => {
  const good = () => buildTestNifti(Int16Array.from([1, 2, 3, 4, 5, 6]), { shape: [3, 2, 1] })

  it('an empty file', () => expectInputError(() => parseNifti(new Uint8Array(0), SRC), SRC, /empty/))

  it('not a NIfTI file: wrong sizeof_hdr, either byte order', () => {
    expectInputError(() => parseNifti(new TextEncoder().encode('hello, this is not an image at all'), SRC), SRC, /not a NIfTI file/, /sizeof_hdr/, /348/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(4), { sizeofHdr: 350 }), SRC), SRC, /sizeof_hdr is 350/)
  })

  it('a header cut short', () => expectInputError(() => parseNifti(good().subarray(0, 200), SRC), SRC, /truncated/, /200 bytes/))

  it('a bad magic, and a .hdr/.img pair header', () => {
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(4), { magic: 'abc\0' }), SRC), SRC, /magic is "abc\\x00"/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(4), { magic: 'ni1\0' }), SRC), SRC, /\.hdr\/\.img pair/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(4), { version: 2, magic: 'n+1\0' }), SRC), SRC, /NIfTI-2/, /magic/)
  })

  it('a NIfTI-2 file whose magic tail was mangled by a text-mode transfer', () => {
    const bytes = buildTestNifti(new Uint8Array(4), { version: 2 })
    bytes[8] = 0x0a
    expectInputError(() => parseNifti(bytes, SRC), SRC, /text mode/)
  })

  it('truncated and corrupt gzip', () => {
    const gz = gzipSync(good())
    expectInputError(() => parseNifti(gz.subarray(0, gz.length - 20), SRC), SRC, /corrupt or truncated gzip/)
    const bad = gz.slice()
    for (let n = 20; n < 40; n++) bad[n] = (bad[n] as number) ^ 0x5a
    expectInputError(() => parseNifti(bad, SRC), SRC, /corrupt or truncated gzip/)
  })

  it('data length that disagrees with dims × bytes, saying both numbers', () => {
    expectInputError(() => parseNifti(buildTestNifti(new Int16Array(6), { shape: [3, 2, 2] }), SRC), SRC, /24 bytes/, /has 12 bytes/)
    expectInputError(() => parseNifti(buildTestNifti(new Int16Array(6), { shape: [2, 2, 1] }), SRC), SRC, /8 bytes/, /has 12 bytes/)
  })

  it('an unsupported datatype, saying which', () => {
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(24), { datatype: 32 }), SRC), SRC, /datatype code 32 \(complex64\): complex voxels are not read; save their magnitude/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { datatype: 1536 }), SRC), SRC, /datatype code 1536 \(float128\); supported: .*768 uint32, 1024 int64, 1280 uint64/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { datatype: 999 }), SRC), SRC, /datatype code 999;/)
  })

  it('vox_offset beyond the end of the file, and below the header size', () => {
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { voxOffset: 4096, truncateTo: 400 }), SRC), SRC, /vox_offset 4096 is beyond the end/, /400 bytes/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { voxOffset: 100 }), SRC), SRC, /vox_offset is 100/)
  })

  it('a frame that does not exist, and nonsense dims', () => {
    const e = expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(12), { dim: [4, 3, 2, 1, 2, 1, 1, 1] }), SRC, { frame: 2 }), SRC, /has 2 frames/, /3×2×1×2/, /choose 0–1/)
    expect(e.message).toContain(SRC)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { dim: [3, 3, 0, 1, 1, 1, 1, 1] }), SRC), SRC, /dim\[2\] is 0/)
    expectInputError(() => parseNifti(buildTestNifti(new Uint8Array(3), { dim: [9, 3, 1, 1, 1, 1, 1, 1] }), SRC), SRC, /dim\[0\] is 9/)
  })
})

describe('readImage: scl_slope / scl_inter', () => {
  it('applies slope and intercept to integers as Float32Array', () => {
    const v = readImage(buildTestNifti(Int16Array.from([0, 1, -2]), { sclSlope: 2, sclInter: -1 }), SRC)
    expect(v.data).toBeInstanceOf(Float32Array)
    expect(Array.from(v.data)).toEqual([-1, 1, -5])
    expect(v.header.storedDtype).toBe('int16')
  })

  it('uses Float64Array for int32 and float64, which float32 would round', () => {
    const i32 = readImage(buildTestNifti(Int32Array.from([16777217]), { sclSlope: 1, sclInter: 1 }), SRC)
    expect(i32.data).toBeInstanceOf(Float64Array)
    expect(i32.data[0]).toBe(16777218)
    const f64 = readImage(buildTestNifti(Float64Array.from([0.5]), { sclSlope: 4, sclInter: 0, littleEndian: false, gzip: true }), SRC)
    expect(f64.data).toBeInstanceOf(Float64Array)
    expect(f64.data[0]).toBe(2)
  })

  it('scales float32 data (in place when the memory is its own)', () => {
    const v = readImage(buildTestNifti(Float32Array.from([1, 2]), { sclSlope: 0.5, sclInter: 1, gzip: true }), SRC)
    expect(Array.from(v.data)).toEqual([1.5, 2])
    const bytes = buildTestNifti(Float32Array.from([1, 2]), { sclSlope: 0.5, sclInter: 1 })
    const before = bytes.slice()
    expect(Array.from(readImage(bytes, SRC).data)).toEqual([1.5, 2])
    expect(bytes).toEqual(before)
  })

  it('leaves data as stored for slope 0, (1, 0) and NaN', () => {
    for (const [sclSlope, sclInter] of [[0, 5], [1, 0], [NaN, 3]] as const) {
      const v = readImage(buildTestNifti(Int16Array.from([7, 8]), { sclSlope, sclInter }), SRC)
      expect(v.data).toBeInstanceOf(Int16Array)
      expect(Array.from(v.data)).toEqual([7, 8])
    }
  })

  it('slope 1 with a nonzero intercept still shifts', () => {
    expect(Array.from(readImage(buildTestNifti(Uint8Array.from([1, 2]), { sclSlope: 1, sclInter: 100 }), SRC).data)).toEqual([101, 102])
  })
})

describe('readLabel', () => {
  it('returns uint8 labels as they are (same memory)', () => {
    const bytes = buildTestNifti(Uint8Array.from([0, 1, 2, 1]))
    const v = readLabel(bytes, SRC)
    expect(v.data).toBeInstanceOf(Uint8Array)
    expect(v.data.buffer).toBe(bytes.buffer)
  })

  it('turns float labels with whole values into Uint8Array', () => {
    for (const data of [Float32Array.from([0, 1, 2, 0]), Float64Array.from([0, 2, 2, 1])]) {
      const v = readLabel(buildTestNifti(data, { littleEndian: false, gzip: true }), SRC)
      expect(v.data).toBeInstanceOf(Uint8Array)
      expect(Array.from(v.data)).toEqual(Array.from(data))
      expect(v.header.storedDtype).toBe(data instanceof Float32Array ? 'float32' : 'float64')
    }
  })

  it('picks the narrowest integer type that holds the values', () => {
    expect(readLabel(buildTestNifti(Int32Array.from([0, 5])), SRC).data).toBeInstanceOf(Uint8Array)
    expect(readLabel(buildTestNifti(Int8Array.from([0, 5])), SRC).data).toBeInstanceOf(Uint8Array)
    const i16 = readLabel(buildTestNifti(Uint16Array.from([0, 300])), SRC).data
    expect(i16).toBeInstanceOf(Int16Array)
    expect(Array.from(i16)).toEqual([0, 300])
    expect(readLabel(buildTestNifti(Int16Array.from([0, 300])), SRC).data).toBeInstanceOf(Int16Array)
    const i32 = readLabel(buildTestNifti(Uint16Array.from([0, 40000])), SRC).data
    expect(i32).toBeInstanceOf(Int32Array)
    expect(Array.from(i32)).toEqual([0, 40000])
    expect(Array.from(readLabel(buildTestNifti(Float32Array.from([0, 70000])), SRC).data)).toEqual([0, 70000])
  })

  it('refuses non-integral, non-finite and negative labels, naming the first bad voxel', () => {
    const shape: [number, number, number] = [2, 2, 1]
    expectInputError(() => readLabel(buildTestNifti(Float32Array.from([0, 1, 1.5, 2.5]), { shape }), SRC), SRC, /value 1\.5/, /i=0, j=1, k=0/)
    expectInputError(() => readLabel(buildTestNifti(Float32Array.from([0, NaN, 1, 1]), { shape }), SRC), SRC, /value NaN/)
    expectInputError(() => readLabel(buildTestNifti(Float64Array.from([0, 1, Infinity, 1]), { shape }), SRC), SRC, /value Infinity/)
    expectInputError(() => readLabel(buildTestNifti(Int16Array.from([0, 1, 2, -3]), { shape }), SRC), SRC, /negative value -3/, /voxel 3/)
    expectInputError(() => readLabel(buildTestNifti(Float32Array.from([0, -1, 1, 1]), { shape }), SRC), SRC, /negative value -1/)
  })

  it('ignores (1, 0) and 0 scaling but applies real scaling, tolerating float32 slope rounding', () => {
    expect(Array.from(readLabel(buildTestNifti(Uint8Array.from([0, 3]), { sclSlope: 1, sclInter: 0 }), SRC).data)).toEqual([0, 3])
    expect(Array.from(readLabel(buildTestNifti(Uint8Array.from([0, 3]), { sclSlope: 0, sclInter: 9 }), SRC).data)).toEqual([0, 3])
    const scaled = readLabel(buildTestNifti(Int16Array.from([0, 10, 20]), { sclSlope: 0.1, sclInter: 0 }), SRC)
    expect(scaled.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(scaled.data)).toEqual([0, 1, 2])
    expectInputError(() => readLabel(buildTestNifti(Int16Array.from([0, 1]), { sclSlope: 0.5, sclInter: 0 }), SRC), SRC, /value 0\.5/)
  })
})

describe('file readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nifti-read-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('read from disk and delegate', () => {
    const path = join(dir, 'a.nii.gz')
    writeFileSync(path, buildTestNifti(Float32Array.from([0, 1, 2, 1]), { gzip: true, sclSlope: 2, sclInter: 0 }))
    expect(Array.from(readVolumeFile(path).data)).toEqual([0, 1, 2, 1])
    expect(Array.from(readImageFile(path).data)).toEqual([0, 2, 4, 2])
    const label = readLabelFile(path)
    expect(label.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(label.data)).toEqual([0, 2, 4, 2])
  })

  it('name the path in errors: missing file, a folder, bad content', () => {
    expectInputError(() => readImageFile(join(dir, 'missing.nii.gz')), join(dir, 'missing.nii.gz'), /not found/)
    expectInputError(() => readLabelFile(dir), dir, /folder/)
    const bad = join(dir, 'bad.nii')
    writeFileSync(bad, 'not a nifti file, honestly')
    expectInputError(() => readVolumeFile(bad), bad, /not a NIfTI file/)
    const badLabel = join(dir, 'bad-label.nii')
    writeFileSync(badLabel, buildTestNifti(Float32Array.from([0.25])))
    expectInputError(() => readLabelFile(badLabel), badLabel, /value 0\.25/)
  })
})
