import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { InputError } from '../../../shared/errors'
import { latestSchemaVersion, migrations, type Migration } from './migrations'

export type Db = Database.Database

export interface OpenOptions {
  /** Apply migrations only up to this version (tests use it to build an older store). */
  upToVersion?: number
  /**
   * The better-sqlite3 binding (.node file) to load instead of the one beside the package. Defaults to the
   * WORKBENCH_SQLITE_BINDING environment variable, which also reaches worker threads; unset, the default build.
   */
  nativeBinding?: string
}

/**
 * Opens (creating if needed) the workbench's SQLite store: WAL journal, foreign keys on, and every pending
 * migration applied, each in its own transaction. ':memory:' opens a private in-memory store.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  let db: Db
  try {
    const nativeBinding = options.nativeBinding ?? (process.env.WORKBENCH_SQLITE_BINDING || undefined)
    db = nativeBinding ? new Database(path, { nativeBinding }) : new Database(path)
  } catch (err) {
    throw new InputError(path, `cannot open the database: ${(err as Error).message}`)
  }
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    // Several processes (a sweep's workers, the UI, the CLI) may share one store; wait instead of failing.
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    migrate(db, path, options.upToVersion ?? latestSchemaVersion)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

/** The schema version recorded in the store. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

function migrate(db: Db, path: string, target: number): void {
  const current = schemaVersion(db)
  if (current > latestSchemaVersion) {
    throw new InputError(
      path,
      `the database has schema version ${current}, newer than this workbench understands (${latestSchemaVersion}); use a newer workbench`,
    )
  }
  const pending = migrations.filter((m) => m.version > current && m.version <= target)
  for (const migration of pending) applyMigration(db, migration)
}

function applyMigration(db: Db, migration: Migration): void {
  db.transaction(() => {
    db.exec(migration.sql)
    // user_version cannot be bound as a parameter; the value is our own integer.
    db.pragma(`user_version = ${migration.version}`)
  })()
}
