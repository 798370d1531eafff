// Per-attempt staging for files a job writes before its rows are committed. Each attempt writes under its own
// folder <workspace>/staging/<attempt>/data, which nothing else touches; publishing renames that folder into
// its final place. The attempt id is unique per process and call, so two processes importing the same name
// never write, publish or remove one another's files. An owner file records which process is writing, so the
// orphan sweep at the next open leaves the folder of a live attempt alone.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { workspaceFolders } from './folders'

/** An attempt's id: <kind>-<pid>-<time base36>-<random hex>; the orphan sweep recognises our folders by it. */
export const attemptIdPattern = /^[a-z]+-(\d+)-[0-9a-z]+-[0-9a-f]{8}$/

const OwnerSchema = z.object({ pid: z.number().int(), host: z.string(), createdAt: z.string() })
export type StagingOwner = z.infer<typeof OwnerSchema>
const ownerFile = 'owner.json'

/** One attempt's staging folder. */
export interface StagingAttempt {
  id: string
  /** Where the attempt writes its files (renamed into place by publish). */
  dataDir: string
  /** Renames the data folder to `target` (its parent is created); the target must not exist. */
  publish(target: string): void
  /** Removes the staging folder (what is left of it); safe to call twice. */
  discard(): void
}

/** A new attempt id for a job kind (lower-case letters). */
export function newAttemptId(kind: string, pid: number = process.pid): string {
  return `${kind}-${pid}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

/** Creates an attempt's staging folder with its owner file (this process). */
export function beginStaging(workspace: string, kind: string): StagingAttempt {
  const id = newAttemptId(kind)
  const dir = join(workspace, workspaceFolders.staging, id)
  const dataDir = join(dir, 'data')
  mkdirSync(dataDir, { recursive: true })
  const owner: StagingOwner = { pid: process.pid, host: hostname(), createdAt: new Date().toISOString() }
  writeFileSync(join(dir, ownerFile), JSON.stringify(owner))
  return {
    id,
    dataDir,
    publish(target) {
      mkdirSync(dirname(target), { recursive: true })
      renameSync(dataDir, target)
    },
    discard() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The owner of a staging folder: from its owner file, else the pid in its name (a crash before the file was written). */
export function stagingOwner(dir: string, id: string): StagingOwner | undefined {
  try {
    return OwnerSchema.parse(JSON.parse(readFileSync(join(dir, ownerFile), 'utf8')))
  } catch {
    const pid = attemptIdPattern.exec(id)?.[1]
    return pid === undefined ? undefined : { pid: Number(pid), host: hostname(), createdAt: '' }
  }
}

/** Removes a folder if it is empty (a dataset's folder once its last attempt is gone); never fails. */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // Not empty (another attempt published into it), or already gone.
  }
}
