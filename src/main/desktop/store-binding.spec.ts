// The store's side of the injection: core/store/database.ts loads whatever binding it is given (the desktop app
// passes the Electron build through WORKBENCH_SQLITE_BINDING), without knowing which runtime it runs in.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, schemaVersion } from '../core/store/database'
import { sqliteBindingEnv } from './main-binding'

const nodeBuild = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node')

describe('openDatabase with an injected binding', () => {
  const saved = process.env[sqliteBindingEnv]
  afterEach(() => {
    if (saved === undefined) delete process.env[sqliteBindingEnv]
    else process.env[sqliteBindingEnv] = saved
  })

  it('opens and migrates through the binding it is given', () => {
    const db = openDatabase(':memory:', { nativeBinding: nodeBuild })
    expect(schemaVersion(db)).toBeGreaterThan(0)
    db.close()
  })

  it('takes the binding from the environment, as worker threads of the desktop app do', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'binding-')), 'better_sqlite3.node')
    writeFileSync(bad, 'not a library')
    process.env[sqliteBindingEnv] = bad
    expect(() => openDatabase(':memory:')).toThrow(/cannot open the database/)
    process.env[sqliteBindingEnv] = nodeBuild
    openDatabase(':memory:').close()
  })
})
