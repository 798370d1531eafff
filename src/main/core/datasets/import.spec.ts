import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { CancelledError } from '../execution'
import { openDatabase, type Db } from '../store/database'
import { getDataset, listDatasets } from '../store/datasets-repo'
import { hippocampusDir, sampleDataDir } from '../../test-support/shared-data'
import { syntheticPair, syntheticVolume, writeSyntheticDataset } from '../../test-support/volumes'
import { encodeNifti, readLabelFile, writeNiftiFile } from '../volume'
import { importDataset } from './import'

let root: string
let db: Db
let workspace: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-import-'))
  workspace = join(root, 'workspace')
  db = openDatabase(join(root, 'w.db'))
})
afterEach(() => db.close())

/** Every row of every table: an import that fails must leave this unchanged. */
function snapshot(d: Db): string {
  const tables = (d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name)
  return JSON.stringify(tables.map((t) => [t, d.prepare(`SELECT * FROM ${t}`).all()]))
}

/** Runs an import that must fail; checks the error names `source` and matches `problem`, and that nothing was written. */
function expectRefused(folder: string, source: string, problem: RegExp, name = 'bad', extra: object = {}): void {
  const before = snapshot(db)
  let caught: unknown
  try {
    importDataset({ db, workspace }, { folder, name, ...extra })
  } catch (err) {
    caught = err
  }
  expect(isInputError(caught), `expected an InputError, got ${String(caught)}`).toBe(true)
  if (!isInputError(caught)) return
  expect(caught.source).toContain(source)
  expect(caught.problem).toMatch(problem)
  expect(snapshot(db)).toBe(before)
  expect(existsSync(join(workspace, 'datasets', name))).toBe(false)
}

/** A 4-case dataset whose case_002 files are replaced by the given bytes / volumes. */
function datasetWithBadCase(patch: (images: string, labels: string) => void): string {
  const folder = writeSyntheticDataset(join(root, 'ds'), 4)
  patch(join(folder, 'images'), join(folder, 'labels'))
  return folder
}

describe('importDataset', () => {
  it('imports a paired folder with checked pairs, label stats and a seeded split', () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 6)
    const summary = importDataset({ db, workspace }, { folder, name: 'synth', seed: 9 })
    expect(summary).toMatchObject({ name: 'synth', layout: 'paired', volumes: 6, splitSeed: 9 })
    expect(summary.split.train + summary.split.val + summary.split.test).toBe(6)
    const detail = getDataset(db, 'synth')
    const v = detail?.volumeRecords[0]
    expect(v).toMatchObject({ caseId: 'case_000', dims: [12, 10, 8], spacing: [1, 1, 1], sliceAxis: 2, imageDtype: 'float32' })
    // The synthetic ball: label 1 in its lower half, 2 in its upper half; both present, all voxels counted.
    const counts = v?.labelVoxels ?? {}
    expect(Object.keys(counts).sort()).toEqual(['0', '1', '2'])
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(12 * 10 * 8)
    const { label } = syntheticPair([12, 10, 8])
    let fg = 0
    for (let k = 0; k < 8; k++) if (label.data.subarray(k * 120, (k + 1) * 120).some((x) => x > 0)) fg++
    expect(v?.foregroundSlices).toBe(fg)
  })

  it('gives the same split for the same seed and a different one for another seed', () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 12)
    const subsets = (name: string): string[] => getDataset(db, name)?.volumeRecords.map((v) => v.subset) ?? []
    importDataset({ db, workspace }, { folder, name: 'a', seed: 1 })
    importDataset({ db, workspace }, { folder, name: 'b', seed: 1 })
    importDataset({ db, workspace }, { folder, name: 'c', seed: 2 })
    expect(subsets('a')).toEqual(subsets('b'))
    expect(subsets('a')).not.toEqual(subsets('c'))
  })

  it('reads the Decathlon layout with dataset.json label names and nnU-Net _0000 image names', () => {
    const folder = join(root, 'msd')
    mkdirSync(join(folder, 'imagesTr'), { recursive: true })
    mkdirSync(join(folder, 'labelsTr'), { recursive: true })
    for (const c of ['p1', 'p2']) {
      const { image, label } = syntheticPair([8, 8, 6])
      writeNiftiFile(join(folder, 'imagesTr', `${c}_0000.nii.gz`), image)
      writeNiftiFile(join(folder, 'labelsTr', `${c}.nii.gz`), label)
    }
    // macOS resource forks, as found in the Decathlon tarballs, are ignored.
    writeFileSync(join(folder, 'imagesTr', '._p1_0000.nii.gz'), 'junk')
    writeFileSync(join(folder, 'dataset.json'), JSON.stringify({ name: 'Toy', labels: { background: 0, organ: 1, tip: 2 } }))
    const summary = importDataset({ db, workspace }, { folder, name: 'msd' })
    expect(summary).toMatchObject({ layout: 'msd', volumes: 2, labels: { '0': 'background', '1': 'organ', '2': 'tip' } })
  })

  it('resamples and crops into the workspace when asked, and records the new files', () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 2, [12, 10, 8])
    importDataset({ db, workspace }, { folder, name: 'pre', preprocessing: { targetSpacing: [2, 2, 2], targetShape: [6, 6, 6] } })
    const v = getDataset(db, 'pre')?.volumeRecords[0]
    expect(v).toMatchObject({ dims: [6, 6, 6], spacing: [2, 2, 2] })
    expect(v?.labelPath.startsWith(join(workspace, 'datasets', 'pre'))).toBe(true)
    expect(readLabelFile(v?.labelPath ?? '').header.dims).toEqual([6, 6, 6])
  })

  describe('refuses bad input, names the file and the problem, and leaves the store as it was', () => {
    beforeEach(() => {
      // A store that already holds a dataset, so "unchanged" is checked against real rows.
      importDataset({ db, workspace }, { folder: writeSyntheticDataset(join(root, 'first'), 2), name: 'first' })
    })

    it('a truncated .nii.gz', () => {
      const folder = datasetWithBadCase((images) => {
        const path = join(images, 'case_002.nii.gz')
        const bytes = readFileSync(path)
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)))
      })
      expectRefused(folder, 'case_002.nii.gz', /truncated|corrupt|unexpected end/i)
    })

    it('a header whose dims disagree with the data length', () => {
      const folder = datasetWithBadCase((images) => {
        const path = join(images, 'case_002.nii.gz')
        const raw = Buffer.from(gunzipSync(readFileSync(path)))
        raw.writeInt16LE(40, 42) // dim[1]: 12 → 40, more voxels than the file holds
        writeFileSync(path, gzipSync(raw))
      })
      expectRefused(folder, 'case_002.nii.gz', /\d+.*\d+/)
    })

    it('a file that is not NIfTI', () => {
      const folder = datasetWithBadCase((images) => writeFileSync(join(images, 'case_002.nii.gz'), gzipSync(Buffer.from('just some text, not a volume'))))
      expectRefused(folder, 'case_002.nii.gz', /NIfTI/i)
      const plain = datasetWithBadCase((images) => writeFileSync(join(images, 'case_001.nii.gz'), 'plain text'))
      expectRefused(plain, 'case_001.nii.gz', /NIfTI/i)
    })

    it('an image and label of different shapes', () => {
      const folder = datasetWithBadCase((_images, labels) => writeNiftiFile(join(labels, 'case_002.nii.gz'), syntheticPair([12, 10, 9]).label))
      expectRefused(folder, 'case_002.nii.gz', /shape/)
    })

    it('float labels with non-integral values', () => {
      const folder = datasetWithBadCase((_images, labels) => {
        const data = new Float32Array(12 * 10 * 8)
        data[17] = 1.5
        writeNiftiFile(join(labels, 'case_002.nii.gz'), syntheticVolume([12, 10, 8], data))
      })
      expectRefused(folder, 'case_002.nii.gz', /integ/i)
    })

    it('NaN in an image', () => {
      const folder = datasetWithBadCase((images) => {
        const { image } = syntheticPair([12, 10, 8])
        ;(image.data as Float32Array)[33] = Number.NaN
        writeNiftiFile(join(images, 'case_002.nii.gz'), image)
      })
      expectRefused(folder, 'case_002.nii.gz', /NaN|non-finite/)
    })

    it('an unreadable or missing folder, and a folder of the wrong layout', () => {
      expectRefused(join(root, 'nope'), 'nope', /does not exist/)
      const file = join(root, 'file.txt')
      writeFileSync(file, 'x')
      expectRefused(file, 'file.txt', /not a folder/)
      mkdirSync(join(root, 'empty'))
      expectRefused(join(root, 'empty'), 'empty', /imagesTr.*labelsTr.*images.*labels/)
    })

    it('an image with no label', () => {
      const folder = datasetWithBadCase((_images, labels) => renameSync(join(labels, 'case_002.nii.gz'), join(labels, 'other.nii.gz')))
      expectRefused(folder, 'ds', /case_002/)
    })

    it('a duplicate dataset name', () => {
      expectRefused(writeSyntheticDataset(join(root, 'again'), 2), 'first', /already exists/, 'first')
    })

    it('a bad name', () => {
      expectRefused(writeSyntheticDataset(join(root, 'again'), 2), 'no/slash', /letters, digits/, 'no/slash')
    })

    it('a failure after preprocessing started removes the files it wrote', () => {
      const folder = datasetWithBadCase((images) => writeFileSync(join(images, 'case_003.nii.gz'), 'broken'))
      expectRefused(folder, 'case_003.nii.gz', /NIfTI/i, 'pre', { preprocessing: { targetSpacing: [2, 2, 2] } })
      // Written only under the attempt's staging folder, which is gone; nothing was published.
      expect(existsSync(join(workspace, 'datasets'))).toBe(false)
      expect(readdirSync(join(workspace, 'staging'))).toEqual([])
    })
  })

  describe('progress and cancelling', () => {
    it('reports each pair once, in order, counted against the total', () => {
      const folder = writeSyntheticDataset(join(root, 'ds'), 5)
      const calls: [number, number, string][] = []
      importDataset({ db, workspace, onProgress: (done, total, caseId) => calls.push([done, total, caseId]) }, { folder, name: 'counted' })
      expect(calls).toEqual([0, 1, 2, 3, 4].map((i) => [i + 1, 5, `case_00${i}`]))
    })

    /** Imports with preprocessing (so files are written) and cancels once `after` pairs are done; returns the error and the progress seen. */
    function cancelAfter(after: number, pairs = 5): { caught: unknown; seen: number[] } {
      importDataset({ db, workspace }, { folder: writeSyntheticDataset(join(root, 'first'), 2), name: 'first' })
      const folder = writeSyntheticDataset(join(root, 'ds'), pairs)
      const before = snapshot(db)
      const seen: number[] = []
      let caught: unknown
      try {
        importDataset(
          { db, workspace, onProgress: (done) => seen.push(done), shouldCancel: () => seen.length >= after },
          { folder, name: 'stopped', preprocessing: { targetSpacing: [0.5, 0.5, 0.5] } },
        )
      } catch (err) {
        caught = err
      }
      // Nothing stored, and the resampled files already written are gone.
      expect(snapshot(db)).toBe(before)
      expect(existsSync(join(workspace, 'datasets', 'stopped'))).toBe(false)
      return { caught, seen }
    }

    it('stops between pairs with a CancelledError, leaving the store and the workspace as they were', () => {
      const { caught, seen } = cancelAfter(2)
      expect(caught).toBeInstanceOf(CancelledError)
      expect((caught as Error).message).toMatch(/import of stopped was cancelled; nothing was stored/)
      expect(seen).toEqual([1, 2])
    })

    it('still stores nothing when cancelled after the last pair was read', () => {
      const { caught, seen } = cancelAfter(3, 3)
      expect(caught).toBeInstanceOf(CancelledError)
      expect(seen).toEqual([1, 2, 3])
    })

    it('imports normally, and can import the same name afterwards, when the cancel never comes', () => {
      cancelAfter(1)
      const folder = writeSyntheticDataset(join(root, 'again'), 3)
      const summary = importDataset({ db, workspace, shouldCancel: () => false }, { folder, name: 'stopped', preprocessing: { targetSpacing: [0.5, 0.5, 0.5] } })
      expect(summary).toMatchObject({ name: 'stopped', volumes: 3 })
      // One attempt folder (the cancelled attempt left none), holding the three pairs the rows point at.
      const attempts = readdirSync(join(workspace, 'datasets', 'stopped'))
      expect(attempts).toHaveLength(1)
      expect(readdirSync(join(workspace, 'datasets', 'stopped', attempts[0] ?? '', 'images'))).toHaveLength(3)
      expect(getDataset(db, 'stopped')?.volumeRecords.every((v) => existsSync(v.imagePath) && existsSync(v.labelPath))).toBe(true)
      expect(readdirSync(join(workspace, 'staging'))).toEqual([])
    })
  })

  it('imports the bundled sample: 20 real hippocampus pairs', () => {
    const summary = importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
    expect(summary).toMatchObject({ volumes: 20, split: { train: 15, val: 2, test: 3 }, labels: { '1': 'Anterior' } })
    const volumes = getDataset(db, 'sample')?.volumeRecords ?? []
    for (const v of volumes) {
      expect(Object.keys(v.labelVoxels).sort()).toEqual(['0', '1', '2'])
      expect(v.foregroundSlices).toBeGreaterThanOrEqual(14)
      expect(v.foregroundSlices).toBeLessThanOrEqual(37)
    }
  })

  it.skipIf(!hippocampusDir)('imports all 260 pairs of ../shared/data/msd-hippocampus (needs ../shared/data)', () => {
    const summary = importDataset({ db, workspace }, { folder: hippocampusDir ?? '', name: 'hippo', seed: 0 })
    expect(summary).toMatchObject({ volumes: 260, split: { train: 195, val: 21, test: 44 } })
    expect(listDatasets(db).map((d) => d.name)).toEqual(['hippo'])
  })
})
