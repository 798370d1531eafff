// The reader on valid files beyond plain 3D NIfTI, built by hand here (the nibabel spec checks the same families
// against an independent writer where Debian's nibabel is installed): 4D+ frames, uint32 / int64 / uint64 / rgb24,
// .hdr/.img pairs and Analyze 7.5.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { buildTestNifti, buildTestPair } from './nifti.spec-helpers'
import { parseNifti, parseNiftiPair, readImage, readImageFile, readLabelFile, readVolumeFile } from './nifti-read'

const SRC = '/data/odd.nii'

function refusal(fn: () => unknown): InputError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected a refusal, but the file was read')
}

/** 2×2×1 frames holding 10·frame + voxel, for `frames` × `channels` blocks (frames fastest). */
function blocks(frames: number, channels: number): Int16Array {
  const out = new Int16Array(4 * frames * channels)
  for (let b = 0; b < frames * channels; b++) for (let v = 0; v < 4; v++) out[b * 4 + v] = 10 * b + v
  return out
}

describe('4D and higher: one 3D frame is read', () => {
  const fmri = buildTestNifti(blocks(3, 1), { dim: [4, 2, 2, 1, 3, 1, 1, 1] })

  it('reads frame 0 by default and the frame asked for, saying how many there are', () => {
    const first = parseNifti(fmri, SRC)
    expect(Array.from(first.data)).toEqual([0, 1, 2, 3])
    expect(first.header).toMatchObject({ dims: [2, 2, 1], frames: 3, channels: 1, frame: 0, channel: 0 })
    const third = parseNifti(fmri, SRC, { frame: 2 })
    expect(Array.from(third.data)).toEqual([20, 21, 22, 23])
    expect(third.header).toMatchObject({ frames: 3, frame: 2 })
  })

  it('refuses a frame beyond the count, naming the count, and a negative or fractional one', () => {
    expect(refusal(() => parseNifti(fmri, SRC, { frame: 3 })).problem).toBe('has 3 frames along dim 4 (shape 2×2×1×3); frame 3 does not exist, choose 0–2')
    expect(refusal(() => parseNifti(fmri, SRC, { frame: -1 })).problem).toMatch(/whole number ≥ 0, got -1/)
    expect(refusal(() => parseNifti(fmri, SRC, { frame: 1.5 })).problem).toMatch(/got 1\.5/)
  })

  it('takes channels along dims 5–7 (a 5D vector image) and frames and channels together', () => {
    const vector = buildTestNifti(blocks(1, 3), { dim: [5, 2, 2, 1, 1, 3, 1, 1] })
    expect(Array.from(parseNifti(vector, SRC, { channel: 2 }).data)).toEqual([20, 21, 22, 23])
    expect(parseNifti(vector, SRC, { channel: 2 }).header).toMatchObject({ frames: 1, channels: 3, channel: 2 })
    expect(refusal(() => parseNifti(vector, SRC, { channel: 3 })).problem).toMatch(/has 3 channels along dims 5–7 .*choose 0–2/)
    // 2 frames × 3 channels: block = frame + 2 · channel.
    const both = buildTestNifti(blocks(2, 3), { dim: [5, 2, 2, 1, 2, 3, 1, 1] })
    expect(Array.from(parseNifti(both, SRC, { frame: 1, channel: 2 }).data)).toEqual([50, 51, 52, 53])
    // Dims 6 and 7 count as channels too (flattened, first fastest).
    const seven = buildTestNifti(blocks(1, 4), { dim: [7, 2, 2, 1, 1, 1, 2, 2] })
    expect(parseNifti(seven, SRC, { channel: 3 }).header.channels).toBe(4)
    expect(Array.from(parseNifti(seven, SRC, { channel: 3 }).data)).toEqual([30, 31, 32, 33])
  })

  it('a 3D file refuses frame 1, unless one frame is to serve all (a 3D label of a 4D image)', () => {
    const plain = buildTestNifti(Int16Array.from([5, 6, 7, 8]), { shape: [2, 2, 1] })
    expect(refusal(() => parseNifti(plain, SRC, { frame: 1 })).problem).toMatch(/has 1 frame along dim 4 .*choose 0, the only one/)
    expect(parseNifti(plain, SRC, { frame: 1, channel: 2, oneServesAll: true }).header).toMatchObject({ frame: 0, channel: 0, frames: 1 })
    // oneServesAll does not excuse an index beyond several frames.
    expect(refusal(() => parseNifti(fmri, SRC, { frame: 5, oneServesAll: true })).problem).toMatch(/has 3 frames/)
  })

  it('checks the whole file’s length against all frames before reading one', () => {
    const short = buildTestNifti(blocks(3, 1), { dim: [4, 2, 2, 1, 4, 1, 1, 1] })
    expect(refusal(() => parseNifti(short, SRC)).problem).toMatch(/2×2×1×4 int16 voxels = 32 bytes of data, but the file has 24 bytes/)
  })

  it('scales the chosen frame of a big-endian gzipped file', () => {
    const v = readImage(buildTestNifti(blocks(2, 1), { dim: [4, 2, 2, 1, 2, 1, 1, 1], littleEndian: false, gzip: true, sclSlope: 0.5, sclInter: 1 }), SRC, { frame: 1 })
    expect(Array.from(v.data)).toEqual([6, 6.5, 7, 7.5])
  })
})

/** Little- or big-endian bytes of 32- or 64-bit integers. */
function integerBytes(values: bigint[], bytes: 4 | 8, signed: boolean, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(values.length * bytes)
  const view = new DataView(out.buffer)
  values.forEach((v, n) => {
    if (bytes === 4) view.setUint32(n * 4, Number(v), littleEndian)
    else if (signed) view.setBigInt64(n * 8, v, littleEndian)
    else view.setBigUint64(n * 8, v, littleEndian)
  })
  return out
}

describe('uint32, int64, uint64: exact where the values fit, refused naming the value where not', () => {
  const wide = (datatype: number, values: bigint[], bytes: 4 | 8, littleEndian = true) =>
    buildTestNifti(new Uint8Array(0), { datatype, shape: [values.length, 1, 1], littleEndian, rawData: integerBytes(values, bytes, datatype === 1024, littleEndian) })

  for (const littleEndian of [true, false]) {
    const order = littleEndian ? 'little' : 'big'
    it(`uint32 (${order}-endian): Int32Array while values fit, else Float64Array`, () => {
      const small = parseNifti(wide(768, [0n, 7n, 2147483647n], 4, littleEndian), SRC)
      expect(small.data).toBeInstanceOf(Int32Array)
      expect(Array.from(small.data)).toEqual([0, 7, 2147483647])
      expect(small.header.storedDtype).toBe('uint32')
      const big = parseNifti(wide(768, [1n, 2147483648n, 4294967295n], 4, littleEndian), SRC)
      expect(big.data).toBeInstanceOf(Float64Array)
      expect(Array.from(big.data)).toEqual([1, 2147483648, 4294967295])
    })

    it(`int64 and uint64 (${order}-endian): exact up to ±2^53`, () => {
      const values = [-(2n ** 53n), -1n, 0n, 2n ** 40n + 3n, 2n ** 53n]
      const i64 = parseNifti(wide(1024, values, 8, littleEndian), SRC)
      expect(i64.data).toBeInstanceOf(Float64Array)
      expect(Array.from(i64.data)).toEqual(values.map(Number))
      const u64 = parseNifti(wide(1280, [0n, 4294967296n, 2n ** 53n], 8, littleEndian), SRC)
      expect(Array.from(u64.data)).toEqual([0, 4294967296, 2 ** 53])
      expect(parseNifti(wide(1024, [-5n, 2147483647n, -2147483648n], 8, littleEndian), SRC).data).toBeInstanceOf(Int32Array)
    })

    it(`refuses a value beyond 2^53 (${order}-endian), naming it exactly`, () => {
      expect(refusal(() => parseNifti(wide(1280, [1n, 2n ** 53n + 1n], 8, littleEndian), SRC)).problem).toBe(
        'holds uint64 value 9007199254740993 at voxel 1 of the frame read, beyond 2^53, the largest the workbench holds exactly',
      )
      expect(refusal(() => parseNifti(wide(1280, [2n ** 64n - 1n], 8, littleEndian), SRC)).problem).toMatch(/value 18446744073709551615 at voxel 0/)
      expect(refusal(() => parseNifti(wide(1024, [0n, 0n, -(2n ** 53n) - 1n], 8, littleEndian), SRC)).problem).toMatch(/int64 value -9007199254740993 at voxel 2/)
      expect(refusal(() => parseNifti(wide(1024, [-(2n ** 63n)], 8, littleEndian), SRC)).problem).toMatch(/value -9223372036854775808/)
    })
  }

  it('scales converted integers in float64, exactly', () => {
    const v = readImage(buildTestNifti(new Uint8Array(0), { datatype: 768, shape: [2, 1, 1], sclSlope: 2, sclInter: 1, rawData: integerBytes([4000000000n, 3n], 4, false, true) }), SRC)
    expect(v.data).toBeInstanceOf(Float64Array)
    expect(Array.from(v.data)).toEqual([8000000001, 7])
  })
})

describe('rgb24: read as luminance', () => {
  it('weights R, G, B by 0.299, 0.587, 0.114 per voxel (interleaved triples) and applies no scaling', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
    const v = readImage(buildTestNifti(new Uint8Array(0), { datatype: 128, shape: [4, 1, 1], rawData: rgb, sclSlope: 2, sclInter: 5 }), SRC)
    expect(v.data).toBeInstanceOf(Float32Array)
    expect(Array.from(v.data)).toEqual([0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 10 + 0.587 * 20 + 0.114 * 30].map(Math.fround))
    expect(v.header).toMatchObject({ storedDtype: 'rgb24', sclSlope: 0, sclInter: 0 })
  })
})

describe('.hdr/.img pairs and Analyze 7.5', () => {
  const paths = { header: '/d/a.hdr', image: '/d/a.img' }
  const data = Int16Array.from([1, -2, 3, -4, 5, -6])

  it('reads a NIfTI-1 and a NIfTI-2 pair, either byte order, gzipped or not, with vox_offset into the .img', () => {
    for (const version of [1, 2] as const) {
      for (const littleEndian of [true, false]) {
        for (const gzip of [false, true]) {
          const pair = buildTestPair(data, { version, littleEndian, gzip, shape: [3, 2, 1], voxOffset: 16, sformCode: 1, srow: [2, 0, 0, 1, 0, 3, 0, 2, 0, 0, 4, 3] })
          const v = parseNiftiPair(pair.header, pair.image, paths)
          expect(Array.from(v.data)).toEqual(Array.from(data))
          expect(v.header).toMatchObject({ niftiVersion: version, format: 'nifti', pair: true, affineSource: 'sform', affine: [2, 0, 0, 1, 0, 3, 0, 2, 0, 0, 4, 3, 0, 0, 0, 1] })
        }
      }
    }
  })

  it('a lone Analyze header read as a single file is refused: it has no magic', () => {
    const pair = buildTestPair(data, { analyze: true, shape: [3, 2, 1] })
    expect(refusal(() => parseNifti(pair.header, SRC)).problem).toMatch(/not a NIfTI-1 file: magic is "\\x00\\x00\\x00\\x00"/)
  })

  it('an Analyze pair: orientation from pixdim, header facts say Analyze', () => {
    const pair = buildTestPair(data, { analyze: true, littleEndian: false, shape: [3, 2, 1], pixdim: [0, 2, 1.5, 4, 1, 1, 1, 1], sclSlope: 3, sformCode: 1, qformCode: 1 })
    const v = parseNiftiPair(pair.header, pair.image, paths)
    expect(Array.from(v.data)).toEqual(Array.from(data))
    expect(v.header).toMatchObject({ format: 'analyze', niftiVersion: 1, pair: true, littleEndian: false, affineSource: 'analyze', sclSlope: 0, spacing: [2, 1.5, 4] })
    expect(v.header.affine).toEqual([-2, 0, 0, 2, 0, 1.5, 0, -0.75, 0, 0, 4, -0, 0, 0, 0, 1])
  })

  it('names the right file: the .hdr for header problems, the .img for data problems', () => {
    const pair = buildTestPair(data, { shape: [3, 2, 1] })
    expect(refusal(() => parseNiftiPair(pair.header, pair.image.subarray(2), paths))).toMatchObject({ source: paths.image })
    expect(refusal(() => parseNiftiPair(pair.header, pair.image.subarray(2), paths)).problem).toMatch(/3×2×1 int16 voxels = 12 bytes of data, but the file has 10 bytes after vox_offset 0/)
    expect(refusal(() => parseNiftiPair(pair.header.subarray(0, 100), pair.image, paths))).toMatchObject({ source: paths.header })
    expect(refusal(() => parseNifti(pair.header, SRC)).problem).toMatch(/pair \(magic "ni1"\)/)
  })

  describe('on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nifti-pair-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const write = (stem: string, ext: [string, string], pair: { header: Uint8Array; image: Uint8Array }) => {
      writeFileSync(join(dir, `${stem}.${ext[0]}`), pair.header)
      writeFileSync(join(dir, `${stem}.${ext[1]}`), pair.image)
    }

    it('opens a pair by either name, gzipped as .hdr.gz/.img.gz, and in upper case', () => {
      write('plain', ['hdr', 'img'], buildTestPair(data, { shape: [3, 2, 1] }))
      write('zipped', ['hdr.gz', 'img.gz'], buildTestPair(data, { shape: [3, 2, 1], gzip: true }))
      write('LOUD', ['HDR', 'IMG'], buildTestPair(data, { shape: [3, 2, 1], analyze: true }))
      for (const name of ['plain.hdr', 'plain.img', 'zipped.hdr.gz', 'zipped.img.gz', 'LOUD.HDR', 'LOUD.IMG']) {
        expect(Array.from(readVolumeFile(join(dir, name)).data)).toEqual(Array.from(data))
      }
      expect(readImageFile(join(dir, 'LOUD.IMG')).header.format).toBe('analyze')
      write('mask', ['hdr', 'img'], buildTestPair(Uint8Array.from([0, 1, 2, 1, 0, 0]), { shape: [3, 2, 1] }))
      expect(Array.from(readLabelFile(join(dir, 'mask.img')).data)).toEqual([0, 1, 2, 1, 0, 0])
    })

    it('says which file of the pair is missing', () => {
      writeFileSync(join(dir, 'lonely.hdr'), buildTestPair(data, { shape: [3, 2, 1] }).header)
      expect(refusal(() => readImageFile(join(dir, 'lonely.hdr')))).toMatchObject({ source: join(dir, 'lonely.img'), problem: 'file not found' })
    })
  })
})
