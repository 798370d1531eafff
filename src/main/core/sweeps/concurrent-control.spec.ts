// Two processes changing one sweep at once (a CLI `sweep cancel` beside a `sweep resume`, the UI's retry):
// every read-then-write transaction takes the write lock first, so none fails with SQLITE_BUSY.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../test-support/shared-data'
import { importDataset } from '../datasets/import'
import { openDatabase } from '../store/database'
import { moduleUrl, runRace } from '../store/race-harness'
import { countTrials } from '../store/sweeps-repo'
import { createSweep } from './create-sweep'
import { smallGrid, tinyTrain } from './test-helpers'

const src = resolve('src/main/core')

describe('sweep control from several processes at once', () => {
  it('cancel, resume, retry and requeue in a loop: no SQLITE_BUSY, the store stays whole', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-sweep-race-'))
    const path = join(root, 'w.db')
    const db = openDatabase(path)
    importDataset({ db, workspace: join(root, 'ws') }, { folder: sampleDataDir, name: 'sample' })
    const { sweepId } = await createSweep(db, { dataset: 'sample', definition: { grid: smallGrid, train: tinyTrain } })
    db.close()

    const script = `
      import { barrier } from '${moduleUrl(join(src, 'store/race-harness.ts'))}'
      import { openDatabase } from '${moduleUrl(join(src, 'store/database.ts'))}'
      import { requeueTrials } from '${moduleUrl(join(src, 'store/sweeps-repo.ts'))}'
      import { cancelSweep, resumeSweep, retryFailed } from '${moduleUrl(join(src, 'sweeps/control.ts'))}'
      const [path, id] = [process.argv[2], Number(process.argv[3])]
      const db = openDatabase(path)
      await barrier()
      const errors = []
      for (let i = 0; i < 150; i++) {
        for (const step of [() => cancelSweep(db, id), () => resumeSweep(db, id), () => requeueTrials(db, id, ['cancelled']), () => { try { retryFailed(db, id) } catch (e) { if (!/is cancelled/.test(e.message)) throw e } }]) {
          try { step() } catch (e) { errors.push(e.code ?? e.message) }
        }
      }
      db.close()
      console.log(JSON.stringify(errors))
    `
    const outcomes = await runRace(script, 2, () => [path, String(sweepId)], 120_000)
    for (const o of outcomes) {
      expect(o.stderr).toBe('')
      expect(o.code).toBe(0)
      expect(JSON.parse(o.stdout) as string[]).toEqual([])
    }
    const after = openDatabase(path)
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(countTrials(after, sweepId).total).toBeGreaterThan(0)
    after.close()
  }, 180_000)
})
