// Which store a workspace belongs to. Removing "files no row refers to" is only safe against the store whose rows
// those are: a workspace shared by two stores (two --db with one --workspace) would otherwise lose the other
// store's files. The first store to sweep a workspace claims it with a marker file holding the store's id and
// file: a copy of the store (a backup opened elsewhere, an older copy restored beside the real one) has the same
// id but another path, and a new store made at the old path has another id; neither sweeps the workspace.
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { immediate, type Db } from '../store/database'
import { getSetting } from '../store/settings-repo'

const storeIdKey = 'store_id'
/** The marker file in the workspace. */
export const storeMarkerFile = 'store-id'

/** This store's id, made once (the first opener of a new store wins; everyone reads the same one). */
export function storeId(db: Db): string {
  const existing = getSetting(db, storeIdKey)
  if (existing !== undefined) return existing
  return immediate(db, () => {
    db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(storeIdKey, randomUUID())
    return getSetting(db, storeIdKey) as string
  })
}

/** Whether the workspace is this store's (claiming it when no store has); with the reason when it is not. */
export function claimWorkspace(db: Db, workspace: string): { ours: true } | { ours: false; reason: string } {
  const id = `${storeId(db)} ${db.name}`
  const marker = join(workspace, storeMarkerFile)
  mkdirSync(workspace, { recursive: true })
  try {
    // 'wx': of two stores claiming a new workspace at once, one creates the file and the other reads it.
    writeFileSync(marker, `${id}\n`, { flag: 'wx' })
    return { ours: true }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const owner = readFileSync(marker, 'utf8').trim()
  return owner === id ? { ours: true } : { ours: false, reason: `${marker} names another store (${owner}); orphan files are left alone` }
}
