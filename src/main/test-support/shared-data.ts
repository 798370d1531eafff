import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (two levels above src/main). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** The bundled sample data set (resources/sample-data). */
export const sampleDataDir = resolve(repoRoot, 'resources/sample-data')

/**
 * The full MSD hippocampus set in ../shared/data, or undefined in a user's clone that has no ../shared.
 * Tests on it use `describe.skipIf(!hippocampusDir)` and say in their title that they need it.
 */
export const hippocampusDir: string | undefined = (() => {
  const dir = process.env.WORKBENCH_SHARED_DATA
    ? resolve(process.env.WORKBENCH_SHARED_DATA, 'msd-hippocampus')
    : resolve(repoRoot, '../shared/data/msd-hippocampus')
  return existsSync(resolve(dir, 'images')) ? dir : undefined
})()
