// The orphan sweep at open (issue 14, item 6): files a killed process left in the workspace that no row refers
// to — an interrupted interpolation's masks, an import's attempt that never committed, a removed run's
// checkpoints. Only folders the workbench writes, recognised by their place and name, are candidates; a live
// attempt of another process (its owner alive) is left alone, and each candidate is checked again under the
// store's write lock before it goes, since every writer publishes inside its own IMMEDATE transaction.
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { ImportOptionsSchema } from '../../../shared/dataset'
import { formatBytes } from '../../../shared/limits'
import { immediate, type Db } from '../store/database'
import { processIsAlive } from '../store/runs-repo'
import { claimWorkspace } from './ownership'
import { folderEntries, isRealFolder, removeTree } from './files'
import { workspaceFolders } from './folders'
import { attemptIdPattern, removeIfEmpty, stagingOwner } from './staging'

/** What the sweep removed (paths relative to the workspace), or why it did not look. */
export interface OrphanSweep {
  removed: string[]
  files: number
  bytes: number
  /** Set when the sweep did not run (the workspace is another store's). */
  skipped?: string
}

export interface OrphanOptions {
  isAlive?: (pid: number) => boolean
}

/** What the rows refer to, read once per check (lazily: most opens never need the volume paths). */
interface References {
  volumeFolders(): Set<string>
}

/** A candidate: its path relative to the workspace, and the check that it is still unreferenced. */
interface Candidate {
  rel: string
  orphaned: (refs: References) => boolean
}

const numericId = /^[1-9]\d*$/

/**
 * Finds and removes what no row refers to, under `workspace`:
 * - staging/<attempt>/ whose owner process (on this host) has ended;
 * - datasets/<name>/<attempt | images | labels>/ that no volume's files lie in;
 * - interpolations/<run>/ of a run that is gone, failed or cancelled;
 * - runs/<run>/ (checkpoints) of a training run that is gone;
 * - plans/<plan>/ (imported masks) of a plan that is gone.
 * Nothing else is touched. Returns what was removed and how many bytes it held.
 */
export function sweepOrphans(db: Db, workspace: string, options: OrphanOptions = {}): OrphanSweep {
  const swept: OrphanSweep = { removed: [], files: 0, bytes: 0 }
  const claim = claimWorkspace(db, workspace)
  if (!claim.ours) return { ...swept, skipped: claim.reason }
  const isAlive = options.isAlive ?? processIsAlive
  const candidates = findCandidates(db, workspace, isAlive)
  // Nothing to remove (the usual open): no write lock taken.
  const first = references(db, workspace)
  if (!candidates.some((c) => c.orphaned(first))) return swept
  immediate(db, () => {
    // Again under the lock: a writer that published since the first look has committed its rows by now.
    const locked = references(db, workspace)
    for (const c of candidates) {
      if (!c.orphaned(locked)) continue
      const size = removeTree(join(workspace, c.rel))
      swept.removed.push(c.rel)
      swept.files += size.files
      swept.bytes += size.bytes
    }
    for (const name of folderEntries(join(workspace, workspaceFolders.datasets))) removeIfEmpty(join(workspace, workspaceFolders.datasets, name))
  })
  return swept
}

/** The line a door prints after an open that removed something (undefined when nothing was removed). */
export function orphanSweepLine(swept: OrphanSweep, workspace: string): string | undefined {
  if (swept.removed.length === 0) return undefined
  return `removed ${swept.files} file${swept.files === 1 ? '' : 's'} (${formatBytes(swept.bytes)}) that interrupted work left in ${workspace} and no record refers to`
}

function findCandidates(db: Db, workspace: string, isAlive: (pid: number) => boolean): Candidate[] {
  const candidates: Candidate[] = []
  const folder = (rel: string): boolean => isRealFolder(join(workspace, rel))

  for (const id of folderEntries(join(workspace, workspaceFolders.staging))) {
    const rel = join(workspaceFolders.staging, id)
    if (!attemptIdPattern.test(id) || !folder(rel)) continue
    candidates.push({
      rel,
      orphaned: () => {
        const owner = stagingOwner(join(workspace, rel), id)
        // Another host's process cannot be asked whether it lives; its attempt is left alone.
        return owner !== undefined && owner.host === hostname() && !isAlive(owner.pid)
      },
    })
  }

  for (const name of folderEntries(join(workspace, workspaceFolders.datasets))) {
    if (!ImportOptionsSchema.shape.name.safeParse(name).success || !folder(join(workspaceFolders.datasets, name))) continue
    for (const child of folderEntries(join(workspace, workspaceFolders.datasets, name))) {
      const rel = join(workspaceFolders.datasets, name, child)
      if (!(attemptIdPattern.test(child) || child === 'images' || child === 'labels') || !folder(rel)) continue
      candidates.push({ rel, orphaned: (refs) => !refs.volumeFolders().has(`${name}/${child}`) })
    }
  }

  const rowIdFolders = (top: string, referenced: (id: number) => boolean): void => {
    for (const id of folderEntries(join(workspace, top))) {
      const rel = join(top, id)
      if (numericId.test(id) && folder(rel)) candidates.push({ rel, orphaned: () => !referenced(Number(id)) })
    }
  }
  rowIdFolders(workspaceFolders.interpolations, (id) =>
    db.prepare(`SELECT 1 FROM runs WHERE id = ? AND kind = 'interpolation' AND status IN ('queued', 'running', 'done')`).get(id) !== undefined,
  )
  rowIdFolders(workspaceFolders.runs, (id) => db.prepare(`SELECT 1 FROM runs WHERE id = ? AND kind <> 'interpolation'`).get(id) !== undefined)
  rowIdFolders(workspaceFolders.plans, (id) => db.prepare('SELECT 1 FROM plans WHERE id = ?').get(id) !== undefined)
  return candidates
}

function references(db: Db, workspace: string): References {
  let folders: Set<string> | undefined
  return {
    volumeFolders() {
      if (!folders) {
        const rows = db.prepare('SELECT image_path AS a, label_path AS b FROM volumes').all() as { a: string; b: string }[]
        folders = new Set(rows.flatMap((r) => [r.a, r.b]).map((p) => datasetChildOf(workspace, p)).filter((p): p is string => p !== undefined))
      }
      return folders
    },
  }
}

/** "<name>/<child>" of a volume file (exported for removal, which deletes exactly these folders) under workspace/datasets/<name>/<child>/…, else undefined. */
export function datasetChildOf(workspace: string, path: string): string | undefined {
  const root = resolve(workspace, workspaceFolders.datasets)
  const full = resolve(path)
  if (!full.startsWith(root)) return undefined
  const parts = full.slice(root.length).split(/[\\/]/).filter((p) => p !== '')
  return parts.length >= 3 ? `${parts[0]}/${parts[1]}` : undefined
}
