/** Test fixtures for the exchange specs: datasets imported into an in-memory store, and plans built by hand. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { DatasetDetail } from '../../../../shared/dataset'
import { isInputError, type InputError } from '../../../../shared/errors'
import type { Plan } from '../../../../shared/plan'
import type { Vec3 } from '../../../../shared/volume'
import { syntheticPair } from '../../../test-support/volumes'
import { importDataset } from '../../datasets/import'
import { openDatabase } from '../../store/database'
import { getDataset } from '../../store/datasets-repo'
import { writeNiftiFile } from '../../volume'

/** Imports a dataset folder into a fresh in-memory store and returns its detail. */
export function importedDataset(folder: string, workspace: string, name = 'ds'): DatasetDetail {
  const db = openDatabase(':memory:')
  try {
    importDataset({ db, workspace }, { folder, name, seed: 3 })
    const detail = getDataset(db, name)
    if (!detail) throw new Error('dataset not stored')
    return detail
  } finally {
    db.close()
  }
}

/**
 * A paired dataset folder of synthetic ball volumes. With `sliceAxis0` the affine makes array axis 0 run
 * superior–inferior, so the slice axis is 0 instead of the usual 2.
 */
export function writeDatasetFolder(folder: string, count: number, dims: Vec3, sliceAxis0 = false): string {
  mkdirSync(join(folder, 'images'), { recursive: true })
  mkdirSync(join(folder, 'labels'), { recursive: true })
  for (let c = 0; c < count; c++) {
    const { image, label } = syntheticPair(dims, c)
    if (sliceAxis0) {
      const affine = [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
      image.header.affine = affine
      label.header.affine = affine
    }
    const name = `case_${String(c).padStart(3, '0')}.nii.gz`
    writeNiftiFile(join(folder, 'images', name), image)
    writeNiftiFile(join(folder, 'labels', name), label)
  }
  return folder
}

/** A generated plan of `dataset` annotating the given slices of the given cases. */
export function planOf(dataset: DatasetDetail, picks: Record<string, number[]>, planId = 7): Plan {
  const items = Object.entries(picks).map(([volume, slices]) => {
    const v = dataset.volumeRecords.find((r) => r.caseId === volume)
    if (!v) throw new Error(`no case ${volume}`)
    return { volumeId: v.id, volume, sliceAxis: v.sliceAxis, sliceCount: v.dims[v.sliceAxis], slices }
  })
  return {
    planId,
    dataset: dataset.name,
    density: 0.25,
    volumes: 0.5,
    method: 'random',
    features: null,
    rule: null,
    scope: 'volume',
    subsetMode: 'nested',
    seed: 11,
    source: 'generated',
    request: null,
    totalSlices: items.reduce((s, i) => s + i.slices.length, 0),
    perVolumeCountsDiffer: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    items,
  }
}

/** Runs `fn`, which must throw an InputError whose source contains `source` and whose problem matches `problem`. */
export function expectInputError(fn: () => unknown, source: string, problem: RegExp): InputError {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(isInputError(caught), `expected an InputError, got ${String(caught)}`).toBe(true)
  const err = caught as InputError
  expect(err.source).toContain(source)
  expect(err.problem).toMatch(problem)
  return err
}
