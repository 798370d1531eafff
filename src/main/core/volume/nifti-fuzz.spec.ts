// Fuzz test of the header parser and reader: seeded random mutations of real headers (the bundled sample and
// hand-built files of every family the reader takes) and truncations at every length of a real .nii.gz's header
// region. Every case must end in a read or a one-line InputError, quickly, and never allocate more than the file
// could hold: the reader checks dims × type size against the bytes present before it allocates.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import type { Volume } from '../../../shared/volume'
import { createRng, type Rng } from '../random/rng'
import { sampleDataDir } from '../../test-support/shared-data'
import { buildTestNifti, buildTestPair } from './nifti.spec-helpers'
import { parseNifti, parseNiftiPair, readImage, readLabel } from './nifti-read'

const SRC = '/fuzz/case.nii'
const PAIR = { header: '/fuzz/case.hdr', image: '/fuzz/case.img' }
/** Generous: a case takes well under a millisecond; a slow one means a loop over a corrupt count. */
const CASE_LIMIT_MS = 250

/** A whole file: one buffer (single) or header + voxels (pair). */
type Seed = { name: string; single: Uint8Array } | { name: string; pair: { header: Uint8Array; image: Uint8Array } }

const sampleGz = readFileSync(join(sampleDataDir, 'images', 'hippocampus_001.nii.gz'))
const sample = new Uint8Array(gunzipSync(sampleGz))

const seeds: Seed[] = [
  { name: 'bundled sample (NIfTI-1, uint8, 35×51×35)', single: sample },
  { name: 'NIfTI-2 big-endian float64 4D', single: buildTestNifti(Float64Array.from({ length: 24 }, (_, n) => n / 3), { version: 2, littleEndian: false, dim: [4, 3, 2, 2, 2, 1, 1, 1], sformCode: 1 }) },
  { name: 'NIfTI-1 int16 5D vector, scaled', single: buildTestNifti(Int16Array.from({ length: 36 }, (_, n) => n - 9), { dim: [5, 3, 2, 2, 1, 3, 1, 1], sclSlope: 0.5, qformCode: 1, quatern: [0, 0, 1] }) },
  { name: 'NIfTI-1 int64', single: buildTestNifti(new Uint8Array(0), { datatype: 1024, shape: [2, 2, 1], rawData: new Uint8Array(new BigInt64Array([1n, -2n, 3n ** 30n, 0n]).buffer) }) },
  { name: 'NIfTI-1 rgb24', single: buildTestNifti(new Uint8Array(0), { datatype: 128, shape: [2, 2, 1], rawData: Uint8Array.from({ length: 12 }, (_, n) => n * 20) }) },
  { name: 'NIfTI-1 pair uint16', pair: buildTestPair(Uint16Array.from({ length: 12 }, (_, n) => n * 999), { shape: [3, 2, 2], voxOffset: 8 }) },
  { name: 'NIfTI-2 pair float32', pair: buildTestPair(Float32Array.from({ length: 12 }, (_, n) => n / 7), { version: 2, shape: [3, 2, 2] }) },
  { name: 'Analyze 7.5 big-endian int32 4D', pair: buildTestPair(Int32Array.from({ length: 24 }, (_, n) => n * 70001), { analyze: true, littleEndian: false, dim: [4, 3, 2, 2, 2, 1, 1, 1] }) },
]

/** Values that break naive arithmetic on header fields: zero, signs, type extremes, NaN, infinities. */
const nasty = [0, 1, -1, 2, 3, 4, 7, 8, 255, 256, 348, 352, 540, 32767, -32768, 65535, 2147483647, -2147483648, 4294967295, NaN, Infinity, -Infinity, 1e38, -1e-38]

/** Overwrites 1–4 places of a copy of the header region: a random byte, or a 2/4/8-byte field set to a nasty value. */
function mutate(bytes: Uint8Array, headerLength: number, rng: Rng): Uint8Array {
  const out = bytes.slice()
  const view = new DataView(out.buffer)
  const le = rng.next() < 0.5
  for (let m = 1 + rng.int(4); m > 0; m--) {
    const at = rng.int(Math.min(headerLength, out.length))
    const value = nasty[rng.int(nasty.length)] as number
    const kind = rng.int(6)
    if (kind === 0 || at + 8 > out.length) out[at] = rng.int(256)
    else if (kind === 1) view.setInt16(at & ~1, Number.isFinite(value) ? value : 0, le)
    else if (kind === 2) view.setInt32(at & ~3, Number.isFinite(value) ? value : -1, le)
    else if (kind === 3) view.setFloat32(at & ~3, value, le)
    else if (kind === 4) view.setFloat64(at & ~7, value, le)
    else view.setBigInt64(at & ~7, BigInt(rng.int(2 ** 31)) * BigInt(1 + rng.int(2 ** 31)) * (rng.next() < 0.5 ? -1n : 1n), le)
  }
  return out
}

/**
 * Runs one case: a read must give voxels of the size its header says (within what the file holds); a refusal must
 * be one InputError line. Returns which it was.
 */
function runCase(what: string, read: () => Volume, inputBytes: number): 'read' | 'refused' {
  const started = performance.now()
  let volume: Volume | undefined
  try {
    volume = read()
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`${what}: not a refusal but ${String(error)}`)
    expect(error.message, what).not.toMatch(/[\r\n]/)
  }
  expect(performance.now() - started, `${what} took too long`).toBeLessThan(CASE_LIMIT_MS)
  if (!volume) return 'refused'
  const [x, y, z] = volume.header.dims
  expect(volume.data.length, what).toBe(x * y * z)
  // At most 8 bytes a voxel (float64) for at least 1 byte stored, or 4 for rgb24's 3.
  expect(volume.data.byteLength, `${what}: allocated beyond the file's size`).toBeLessThanOrEqual(8 * inputBytes)
  return 'read'
}

/** Reads a seed the three ways a file is read (raw, image, label), with a random frame / channel choice. */
function readAllWays(seed: Seed, bytes: { single?: Uint8Array; header?: Uint8Array; image?: Uint8Array }, rng: Rng, what: string, tally: Record<string, number>): void {
  const choice = { frame: rng.int(3), channel: rng.int(3), oneServesAll: rng.next() < 0.5 }
  const single = bytes.single
  const pairHeader = bytes.header
  const pairImage = bytes.image
  const readers: [string, () => Volume, number][] =
    single !== undefined
      ? [
          ['raw', () => parseNifti(single, SRC, choice), single.length],
          ['image', () => readImage(single, SRC, choice), single.length],
          ['label', () => readLabel(single, SRC, choice), single.length],
        ]
      : [['pair', () => parseNiftiPair(pairHeader as Uint8Array, pairImage as Uint8Array, PAIR, choice), (pairImage as Uint8Array).length + 1]]
  for (const [how, read, size] of readers) {
    const outcome = runCase(`${what} (${seed.name}, ${how})`, read, size)
    tally[outcome] = (tally[outcome] ?? 0) + 1
  }
}

describe('NIfTI reader fuzz (seeded): a read or a one-line refusal, fast, bounded', () => {
  it('every seed file reads as it is', () => {
    for (const seed of seeds) {
      const read = 'single' in seed ? () => parseNifti(seed.single, SRC) : () => parseNiftiPair(seed.pair.header, seed.pair.image, PAIR)
      expect(read().header.dims.every((d) => d >= 1), seed.name).toBe(true)
    }
  })

  it('random mutations of the header region of real and generated headers', () => {
    const rng = createRng(14)
    const tally: Record<string, number> = {}
    for (let n = 0; n < 3000; n++) {
      const seed = seeds[n % seeds.length] as Seed
      if ('single' in seed) {
        // The NIfTI-2 header and its extension flag (the first voxels of a NIfTI-1 file too).
        readAllWays(seed, { single: mutate(seed.single, 544, rng) }, rng, `mutation ${n}`, tally)
      } else {
        readAllWays(seed, { header: mutate(seed.pair.header, seed.pair.header.length, rng), image: seed.pair.image }, rng, `mutation ${n}`, tally)
      }
    }
    // Both outcomes occur: the mutations reach fields that matter and fields that do not.
    expect(tally.read).toBeGreaterThan(500)
    expect(tally.refused).toBeGreaterThan(500)
  })

  it('random mutations of gzip-compressed files (the deflate stream and its trailer)', () => {
    const rng = createRng(1414)
    const small = seeds.filter((s): s is Extract<Seed, { single: Uint8Array }> => 'single' in s).map((s) => ({ ...s, single: s === seeds[0] ? sampleGz : gzipSync(s.single) }))
    const tally: Record<string, number> = {}
    for (let n = 0; n < 400; n++) {
      const seed = small[n % small.length] as (typeof small)[number]
      readAllWays(seed, { single: mutate(seed.single, seed.single.length, rng) }, rng, `gzip mutation ${n}`, tally)
    }
    expect(tally.refused).toBeGreaterThan(100)
  })

  it('truncations at every length of the real .nii.gz’s header region, compressed and not, are refused', () => {
    const tally: Record<string, number> = {}
    for (let length = 0; length < 1024; length++) {
      expect(runCase(`.nii.gz cut to ${length} bytes`, () => parseNifti(sampleGz.subarray(0, length), SRC), length + 1)).toBe('refused')
    }
    for (let length = 0; length <= 600; length++) {
      expect(runCase(`.nii cut to ${length} bytes`, () => parseNifti(sample.subarray(0, length), SRC), length + 1)).toBe('refused')
    }
    for (const seed of seeds) {
      if ('single' in seed) continue
      for (let length = 0; length < seed.pair.header.length; length++) {
        tally[runCase(`${seed.name} .hdr cut to ${length}`, () => parseNiftiPair(seed.pair.header.subarray(0, length), seed.pair.image, PAIR), 1)] = 1
      }
      for (let length = 0; length < seed.pair.image.length; length++) {
        expect(runCase(`${seed.name} .img cut to ${length}`, () => parseNiftiPair(seed.pair.header, seed.pair.image.subarray(0, length), PAIR), length + 1)).toBe('refused')
      }
    }
    expect(tally.read).toBeUndefined()
  })

  it('a header claiming far more voxels than the file holds is refused before anything is allocated', () => {
    const before = process.memoryUsage().arrayBuffers
    for (const dim of [[3, 32767, 32767, 32767], [7, 32767, 32767, 32767, 32767, 32767, 32767, 32767], [4, 2, 2, 2, 30000]]) {
      const bytes = buildTestNifti(new Float64Array(8), { dim: [...dim, 1, 1, 1, 1].slice(0, 8), datatype: 64 })
      expect(runCase(`dims ${dim.join(',')}`, () => parseNifti(bytes, SRC), bytes.length)).toBe('refused')
    }
    const big = buildTestNifti(new Float64Array(8), { version: 2, dim: [3, 2 ** 40, 2 ** 12, 1, 1, 1, 1, 1] })
    expect(runCase('NIfTI-2 dims 2^40 × 2^12', () => parseNifti(big, SRC), big.length)).toBe('refused')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024)
  })
})
