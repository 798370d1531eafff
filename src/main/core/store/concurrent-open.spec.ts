// Several processes opening one new store at once (a sweep's runner, the UI and the CLI started together):
// every opener must succeed, and the schema is built once.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase, schemaVersion } from './database'
import { latestSchemaVersion } from './migrations'
import { moduleUrl, runRace } from './race-harness'

const here = resolve('src/main/core/store')

describe('a new store opened by several processes at once', () => {
  it('migrates once and every opener succeeds', async () => {
    const script = `
      import { barrier } from '${moduleUrl(join(here, 'race-harness.ts'))}'
      import { openDatabase, schemaVersion } from '${moduleUrl(join(here, 'database.ts'))}'
      await barrier()
      const db = openDatabase(process.argv[2])
      console.log(schemaVersion(db))
      db.close()
    `
    // Several rounds: one round can pass by luck of scheduling.
    for (let round = 0; round < 3; round++) {
      const path = join(mkdtempSync(join(tmpdir(), 'wb-open-')), 'w.db')
      const outcomes = await runRace(script, 8, () => [path])
      for (const o of outcomes) {
        expect(o.stderr).toBe('')
        expect(o.code).toBe(0)
        expect(o.stdout.trim()).toBe(String(latestSchemaVersion))
      }
      const db = openDatabase(path)
      expect(schemaVersion(db)).toBe(latestSchemaVersion)
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
    }
  }, 120_000)
})
