import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gunzipSync } from 'node:zlib'
import { importDataset } from '../core/datasets/import'
import { openDatabase } from '../core/store/database'
import { hippocampusDir } from '../test-support/shared-data'
import { median } from './timing'

/**
 * Import time for the 260 MSD hippocampus pairs into a fresh SQLite store, against the bare cost of
 * reading and gunzipping the same 520 files (the floor any importer pays), measured in the same run.
 */
export default async function benchImport(): Promise<void> {
  if (!hippocampusDir) {
    console.log('import bench: skipped (needs ../shared/data/msd-hippocampus)')
    return
  }
  const dir = hippocampusDir
  const files = ['images', 'labels'].flatMap((sub) => readdirSync(join(dir, sub)).map((f) => join(dir, sub, f)))
  const bare: number[] = []
  const full: number[] = []
  for (let run = 0; run < 3; run++) {
    let t = performance.now()
    for (const f of files) gunzipSync(readFileSync(f))
    bare.push(performance.now() - t)

    const root = mkdtempSync(join(tmpdir(), 'wb-bench-'))
    const db = openDatabase(join(root, 'w.db'))
    t = performance.now()
    const summary = importDataset({ db, workspace: join(root, 'ws') }, { folder: dir, name: 'hippo' })
    full.push(performance.now() - t)
    db.close()
    rmSync(root, { recursive: true, force: true })
    if (summary.volumes !== 260) throw new Error(`expected 260 volumes, imported ${summary.volumes}`)
  }
  const f = median(full)
  const b = median(bare)
  console.log(
    `import 260 hippocampus pairs: median ${f.toFixed(0)} ms (${(f / 260).toFixed(1)} ms a pair); ` +
      `bare read+gunzip of the 520 files: ${b.toFixed(0)} ms; ratio ${(f / b).toFixed(2)}`,
  )
}
