// Sizes and removal of the folders the workbench writes in its workspace. Symbolic links are never followed:
// a link is not something the workbench wrote, so it is neither counted through nor removed through.
import { lstatSync, readdirSync, rmSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

/** Files and bytes under a path (0 when it does not exist). */
export function treeSize(path: string): { files: number; bytes: number } {
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return { files: 0, bytes: 0 }
  }
  if (stat.isSymbolicLink()) return { files: 0, bytes: 0 }
  if (!stat.isDirectory()) return { files: 1, bytes: stat.size }
  let files = 0
  let bytes = 0
  for (const entry of readdirSync(path)) {
    const inner = treeSize(join(path, entry))
    files += inner.files
    bytes += inner.bytes
  }
  return { files, bytes }
}

/** True when `path` lies strictly inside `folder` (both resolved). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path))
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel)
}

/** A real folder (not a link) at this path. */
export function isRealFolder(path: string): boolean {
  try {
    const stat = lstatSync(path)
    return stat.isDirectory() && !stat.isSymbolicLink()
  } catch {
    return false
  }
}

/** The names in a folder, or none when it does not exist. */
export function folderEntries(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

/** Removes a folder of the workspace with everything in it; returns what it held. */
export function removeTree(path: string): { files: number; bytes: number } {
  const size = treeSize(path)
  rmSync(path, { recursive: true, force: true })
  return size
}
