// The reader against nibabel, an independent implementation: Debian's python3-nibabel writes odd but valid files
// (4D+, vector intent, uint32/int64/uint64, rgb24, complex64, NIfTI-1/2 pairs gzipped or not, Analyze 7.5,
// big-endian, scaled, qform-only) and says what it reads back from each; every value, the affine and the frame
// facts must agree. Skipped, with the reason, where /usr/bin/python3 has no nibabel (CI installs it).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { generateNibabelFixtures, type NibabelReadCase } from '../../test-support/nibabel-fixtures'
import { readImageFile, readVolumeFile } from './nifti-read'

const fixtures = generateNibabelFixtures()
const skipReason = 'skipped' in fixtures ? fixtures.skipped : ''
if (skipReason) console.warn(`nifti-nibabel.spec: skipped: ${skipReason}`)
afterAll(() => {
  if ('dir' in fixtures) rmSync(fixtures.dir, { recursive: true, force: true })
})

/** numpy's names of the stored types, as the workbench names them. */
const dtypeName: Record<string, string> = { float32: 'float32', float64: 'float64', int16: 'int16', int32: 'int32', uint8: 'uint8', uint32: 'uint32', int64: 'int64', uint64: 'uint64', rgb24: 'rgb24' }

/** Voxel values equal nibabel's; float32 results equal nibabel's float64 rounded to float32 (we compute in double, then store). */
function expectValues(actual: ArrayLike<number>, expected: number[], float32: boolean): void {
  expect(actual.length).toBe(expected.length)
  const want = float32 ? expected.map(Math.fround) : expected
  const wrong = Array.from(actual).findIndex((v, n) => v !== want[n])
  expect(wrong, wrong < 0 ? '' : `voxel ${wrong}: ${actual[wrong]} vs nibabel ${want[wrong]}`).toBe(-1)
}

describe.skipIf(Boolean(skipReason))(`valid odd files written and read by nibabel${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const cases = 'cases' in fixtures ? fixtures.cases : []
  const dir = 'dir' in fixtures ? fixtures.dir : ''

  it('covers the four families: 4D+, wide and colour dtypes, pairs, Analyze', () => {
    const read = cases.filter((c): c is NibabelReadCase => c.expect === 'read')
    expect(read.filter((c) => c.frames * c.channels > 1).length).toBeGreaterThanOrEqual(5)
    expect(new Set(read.map((c) => c.dtype))).toEqual(new Set(Object.keys(dtypeName)))
    expect(read.filter((c) => /\.(hdr|img)(\.gz)?$/.test(c.file) && c.format === 'nifti').length).toBeGreaterThanOrEqual(4)
    expect(read.filter((c) => c.format === 'analyze').length).toBeGreaterThanOrEqual(3)
    expect(cases.filter((c) => c.expect === 'refuse').length).toBe(3)
  })

  for (const c of cases) {
    if (c.expect === 'refuse') {
      it(`refuses ${c.file} in one line naming ${c.problem}`, () => {
        const path = join(dir, c.file)
        let error: unknown
        try {
          readImageFile(path)
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(InputError)
        expect((error as InputError).source).toBe(path)
        expect((error as InputError).problem).toContain(c.problem)
        expect((error as InputError).message).not.toContain('\n')
      })
      continue
    }
    it(`${c.file}, frame ${c.frame} channel ${c.channel}: ${c.note}`, () => {
      const path = join(dir, c.file)
      const choice = { frame: c.frame, channel: c.channel }
      const raw = readVolumeFile(path, choice)
      const image = readImageFile(path, choice)
      expect(image.header).toMatchObject({
        dims: [c.shape[0], c.shape[1] ?? 1, c.shape[2] ?? 1],
        storedDtype: dtypeName[c.dtype],
        niftiVersion: c.niftiVersion,
        format: c.format,
        littleEndian: c.littleEndian,
        pair: /\.(hdr|img)(\.gz)?$/.test(c.file),
        frames: c.frames,
        channels: c.channels,
        frame: c.frame,
        channel: c.channel,
        affineSource: c.format === 'analyze' ? 'analyze' : expect.stringMatching(/^[sq]form$/),
      })
      image.header.affine.forEach((x, n) => expect(x, `affine[${n}]`).toBeCloseTo(c.affine[n] as number, 5))
      image.header.spacing.forEach((x, n) => expect(x).toBeCloseTo(Math.abs(c.zooms[n] ?? 1), 6))
      // Stored values: exact (rgb24 is luminance, float32). Scaled: exact in float64, else float32-rounded.
      expectValues(raw.data, c.stored, raw.data instanceof Float32Array)
      expectValues(image.data, c.scaled, image.data instanceof Float32Array)
    })
  }
})
