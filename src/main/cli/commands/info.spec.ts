// `workbench info` on the files the reader gained (4D+, Analyze pairs, rgb24) and `workbench import --frame`:
// the frame count, the format and the frame taken are said, not left for the user to guess.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { cliRunner } from '../../test-support/cli-harness'
import { buildTestNifti, buildTestPair } from '../../core/volume/nifti.spec-helpers'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-info-'))
})
const cli = cliRunner(() => ['--no-sample', '--db', join(root, 'w.db'), '--workspace', join(root, 'ws')])

/** 2×2×1 frames of int16, frame f holding 10·f + voxel index. */
const frames = (count: number) => Int16Array.from({ length: 4 * count }, (_, n) => 10 * Math.floor(n / 4) + (n % 4))

describe('workbench info on a volume file', () => {
  it('reports the frame count and the frame whose values it describes', async () => {
    const file = join(root, 'fmri.nii.gz')
    writeFileSync(file, buildTestNifti(frames(5), { dim: [4, 2, 2, 1, 5, 1, 1, 1], gzip: true }))
    const text = await cli('info', file, '--frame', '3')
    expect(text.code).toBe(0)
    expect(text.out).toContain('  frames 5; read frame 3\n')
    expect(text.out).toContain('values 30 … 33')
    const json = JSON.parse((await cli('info', file, '--json')).out) as Record<string, unknown>
    expect(json).toMatchObject({ frames: 5, channels: 1, frame: 0, dims: [2, 2, 1], min: 0, max: 3 })
    const beyond = await cli('info', file, '--frame', '5')
    expect(beyond.code).toBe(1)
    expect(beyond.err).toMatch(/fmri\.nii\.gz: has 5 frames along dim 4 \(shape 2×2×1×5\); frame 5 does not exist, choose 0–4/)
    expect((await cli('info', file, '--frame', '-1')).code).toBe(2)
  })

  it('says a pair is Analyze 7.5, where its orientation comes from, and that it has no scaling', async () => {
    const pair = buildTestPair(frames(1), { analyze: true, shape: [2, 2, 1], pixdim: [0, 2, 3, 4, 1, 1, 1, 1] })
    writeFileSync(join(root, 'old.hdr'), pair.header)
    writeFileSync(join(root, 'old.img'), pair.image)
    const text = await cli('info', join(root, 'old.img'))
    expect(text.code).toBe(0)
    expect(text.out).toContain('int16 (little-endian, Analyze 7.5 .hdr/.img pair)')
    expect(text.out).toContain('affine from the Analyze voxel sizes (x flipped, centred, as nibabel reads it)')
    expect(text.out).toContain('no scaling (Analyze)')
  })

  it('says rgb24 is read as luminance, and names the channels of a vector image', async () => {
    const rgb = join(root, 'colour.nii')
    writeFileSync(rgb, buildTestNifti(new Uint8Array(0), { datatype: 128, shape: [2, 1, 1], rawData: Uint8Array.from([255, 255, 255, 0, 0, 0]) }))
    expect((await cli('info', rgb)).out).toContain('rgb24, read as luminance 0.299 R + 0.587 G + 0.114 B')
    const vector = join(root, 'vector.nii')
    writeFileSync(vector, buildTestNifti(frames(3), { dim: [5, 2, 2, 1, 1, 3, 1, 1] }))
    expect((await cli('info', vector, '--channel', '2')).out).toContain('  frames 1, channels 3; read frame 0, channel 2\n')
  })
})

describe('workbench import --frame', () => {
  it('takes the frame asked for and says which it took', async () => {
    const folder = join(root, 'ds')
    mkdirSync(join(folder, 'images'), { recursive: true })
    mkdirSync(join(folder, 'labels'), { recursive: true })
    writeFileSync(join(folder, 'images', 'a.nii'), buildTestNifti(frames(4), { dim: [4, 2, 2, 1, 4, 1, 1, 1] }))
    writeFileSync(join(folder, 'labels', 'a.nii'), buildTestNifti(Uint8Array.from([0, 1, 1, 0]), { shape: [2, 2, 1] }))
    const imported = await cli('import', folder, '--name', 'ts', '--frame', '2')
    expect(imported.code, imported.err).toBe(0)
    expect(imported.out).toContain('imported ts: 1 volumes')
    expect(imported.out).toContain('  read frame 2 of 4 in 1 volume with several frames (--frame N picks another)\n')
    expect((await cli('import', folder, '--name', 'bad', '--frame', 'x')).code).toBe(2)
  })
})
