import type { Db } from '../core/store/database'
import { datasetExists } from '../core/store/datasets-repo'
import { getSetting, setSetting } from '../core/store/settings-repo'
import { importDataset } from '../core/datasets/import'
import { sampleDataDir } from './paths'

export const sampleDatasetName = 'sample'
const registeredKey = 'sample_registered'

/**
 * Registers the bundled sample as the dataset `sample` the first time a store is used, so a new user has
 * real data without a download. Only once: a user who deletes it does not get it back uninvited.
 * Returns whether it was registered now.
 */
export function registerSampleOnFirstUse(db: Db, workspace: string): boolean {
  if (getSetting(db, registeredKey) !== undefined) return false
  if (!datasetExists(db, sampleDatasetName)) {
    try {
      importDataset({ db, workspace }, { folder: sampleDataDir(), name: sampleDatasetName, seed: 0 })
    } catch (err) {
      // Another process opening the same new store registered it first (the name is UNIQUE): that is the outcome we want.
      if (!datasetExists(db, sampleDatasetName)) throw err
    }
  }
  setSetting(db, registeredKey, new Date().toISOString())
  return true
}
