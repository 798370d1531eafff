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
 * migration applied in one IMMEDIATE transaction (safe when several processes open a new store at once).
 * ':memory:' opens a private in-memory store.
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
    enableWal(db)
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

/**
 * Runs `work` in an IMMEDIATE transaction: the write lock is taken at BEGIN, waiting out busy_timeout if
 * another process holds it. A deferred transaction that reads and then writes cannot wait: when another
 * process committed since its read, SQLite answers SQLITE_BUSY at once (its snapshot is stale), so every
 * read-then-write transaction of the store goes through here. Nested calls become savepoints.
 */
export function immediate<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate()
}

/**
 * Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting
 * (deadlock avoidance), when another opener of the new file holds a shared lock; so openers racing on a new
 * store retry for a while. A file already in WAL mode stays so and answers at once.
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err
      // A short random pause (synchronous: opening is), so the racers do not retry in lockstep.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20)
    }
  }
}

/** The schema version recorded in the store. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

function migrate(db: Db, path: string, target: number): void {
  // Checked before taking the write lock: a store already up to date (the usual case) is opened without it.
  if (pendingMigrations(db, path, target).length === 0) return
  // Several processes may open a new store at once. IMMEDIATE takes the write lock before reading the version,
  // so the second opener waits for the first's commit, then reads the new version and finds nothing to do.
  immediate(db, () => {
    for (const migration of pendingMigrations(db, path, target)) applyMigration(db, migration)
  })
}

function pendingMigrations(db: Db, path: string, target: number): Migration[] {
  const current = schemaVersion(db)
  if (current > latestSchemaVersion) {
    throw new InputError(
      path,
      `the database has schema version ${current}, newer than this workbench understands (${latestSchemaVersion}); use a newer workbench`,
    )
  }
  return migrations.filter((m) => m.version > current && m.version <= target)
}

function applyMigration(db: Db, migration: Migration): void {
  db.exec(migration.sql)
  // user_version cannot be bound as a parameter; the value is our own integer.
  db.pragma(`user_version = ${migration.version}`)
}
