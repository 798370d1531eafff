import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importDataset } from '../datasets/import'
import { openDatabase, type Db } from '../store/database'
import { getDataset } from '../store/datasets-repo'
import { createRun, markInterruptedRuns, startRun } from '../store/runs-repo'
import { writeSyntheticDataset } from '../../test-support/volumes'
import { sweepOrphans } from './orphans'
import { storeMarkerFile } from './ownership'

let root: string
let workspace: string
let db: Db
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-orphans-'))
  workspace = join(root, 'ws')
  db = openDatabase(join(root, 'w.db'))
})
afterEach(() => db.close())

/** Writes a file of `bytes` bytes (creating its folder). */
function file(path: string, bytes: number): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, Buffer.alloc(bytes, 1))
}

const deadPid = 2 ** 22 + 12345
const isAlive = (pid: number): boolean => pid === process.pid

/** An interpolation run left 'running' by a process that was killed, with the masks it had written. */
function interruptedInterpolation(): number {
  const id = createRun(db, { kind: 'interpolation', config: {} })
  startRun(db, id, deadPid)
  file(join(workspace, 'interpolations', String(id), 'case_000.nii.gz'), 300)
  file(join(workspace, 'interpolations', String(id), 'case_001.nii.gz'), 200)
  return id
}

describe('the orphan sweep at open', () => {
  it('removes the masks of an interrupted interpolation (once it is marked) and says how many bytes it freed', () => {
    const id = interruptedInterpolation()
    const done = createRun(db, { kind: 'interpolation', config: {} })
    startRun(db, done)
    file(join(workspace, 'interpolations', String(done), 'case_000.nii.gz'), 50)
    // Still 'running' (its process unknown to this sweep): kept.
    expect(sweepOrphans(db, workspace, { isAlive: () => true }).removed).toEqual([])
    markInterruptedRuns(db, isAlive)
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept).toEqual({ removed: [join('interpolations', String(id))], files: 2, bytes: 500 })
    expect(existsSync(join(workspace, 'interpolations', String(done), 'case_000.nii.gz'))).toBe(true)
    // A second open finds nothing.
    expect(sweepOrphans(db, workspace, { isAlive }).removed).toEqual([])
  })

  it('removes an import attempt whose process died, and leaves a live attempt and another host’s alone', () => {
    const staging = join(workspace, 'staging')
    const dead = `import-${deadPid}-abc-0123abcd`
    const live = `import-${process.pid}-abc-89abcdef`
    const elsewhere = `import-${deadPid}-abd-01234567`
    const deadOwner = JSON.stringify({ pid: deadPid, host: hostname(), createdAt: '' })
    file(join(staging, dead, 'data', 'images', 'case_000.nii.gz'), 1000)
    writeFileSync(join(staging, dead, 'owner.json'), deadOwner)
    file(join(staging, live, 'data', 'images', 'case_000.nii.gz'), 1000)
    writeFileSync(join(staging, live, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), createdAt: '' }))
    file(join(staging, elsewhere, 'data', 'x.nii.gz'), 10)
    writeFileSync(join(staging, elsewhere, 'owner.json'), JSON.stringify({ pid: deadPid, host: `${hostname()}-other`, createdAt: '' }))
    // Killed between creating the folder and writing its owner file: the pid in the name says whose it was.
    const unowned = `import-${deadPid}-abe-76543210`
    mkdirSync(join(staging, unowned, 'data'), { recursive: true })
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept.removed.sort()).toEqual([join('staging', dead), join('staging', unowned)].sort())
    expect(swept.bytes).toBe(1000 + deadOwner.length)
    expect(readdirSync(staging).sort()).toEqual([elsewhere, live].sort())
  })

  it('removes a published attempt no row refers to (killed before its commit) and keeps a stored dataset’s files', () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 2)
    importDataset({ db, workspace }, { folder, name: 'kept', preprocessing: { targetShape: [6, 6, 6] } })
    const stored = getDataset(db, 'kept')?.volumeRecords ?? []
    const orphan = join(workspace, 'datasets', 'kept', `import-${deadPid}-zz-00000000`)
    file(join(orphan, 'images', 'case_000.nii.gz'), 700)
    file(join(workspace, 'datasets', 'gone', 'images', 'case_000.nii.gz'), 70)
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept.removed.sort()).toEqual([join('datasets', 'gone', 'images'), join('datasets', 'kept', `import-${deadPid}-zz-00000000`)].sort())
    expect(swept.bytes).toBe(770)
    expect(stored.every((v) => existsSync(v.imagePath) && existsSync(v.labelPath))).toBe(true)
    // The emptied dataset folder goes too.
    expect(existsSync(join(workspace, 'datasets', 'gone'))).toBe(false)
  })

  it('removes checkpoints and imported masks whose run or plan is gone', () => {
    const kept = createRun(db, { kind: 'training', config: {} })
    file(join(workspace, 'runs', String(kept), 'model.ckpt'), 40)
    file(join(workspace, 'runs', '999', 'model.ckpt'), 400)
    file(join(workspace, 'plans', '77', 'case_000.nii.gz'), 4)
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept.removed.sort()).toEqual([join('plans', '77'), join('runs', '999')])
    expect(swept.bytes).toBe(404)
    expect(existsSync(join(workspace, 'runs', String(kept), 'model.ckpt'))).toBe(true)
  })

  it('never touches what the workbench did not write: other names, other folders, the targets of links', () => {
    const outside = join(root, 'precious')
    file(join(outside, 'scan.nii.gz'), 9)
    const mine = [
      join('notes.txt'),
      join('logs', 'errors.log'),
      join('runs', 'my-run', 'model.ckpt'),
      join('datasets', 'kept', 'by-hand', 'scan.nii.gz'),
      join('staging', 'import-notes', 'a.txt'),
      join('interpolations', '0012', 'x.nii.gz'),
    ]
    for (const rel of mine) file(join(workspace, rel), 3)
    mkdirSync(join(workspace, 'plans'), { recursive: true })
    symlinkSync(outside, join(workspace, 'plans', '5'))
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept.removed).toEqual([])
    for (const rel of mine) expect(existsSync(join(workspace, rel))).toBe(true)
    expect(existsSync(join(outside, 'scan.nii.gz'))).toBe(true)
  })

  it('leaves the workspace alone when opened through a copy of the store (a backup, an older copy restored elsewhere)', () => {
    expect(sweepOrphans(db, workspace, { isAlive }).skipped).toBeUndefined()
    const copyPath = join(root, 'copy.db')
    db.exec(`VACUUM INTO '${copyPath}'`)
    const copy = openDatabase(copyPath)
    try {
      // A checkpoint the copy has no row for: to the copy it looks orphaned, but the real store still owns it.
      file(join(workspace, 'runs', String(createRun(db, { kind: 'training', config: {} })), 'model.ckpt'), 10)
      const swept = sweepOrphans(copy, workspace, { isAlive })
      expect(swept.removed).toEqual([])
      expect(swept.skipped).toMatch(/names another store .*w\.db\); orphan files are left alone/)
    } finally {
      copy.close()
    }
    expect(readdirSync(join(workspace, 'runs'))).toHaveLength(1)
  })

  it('leaves a workspace that another store claimed alone, saying why', () => {
    interruptedInterpolation()
    markInterruptedRuns(db, isAlive)
    mkdirSync(workspace, { recursive: true })
    writeFileSync(join(workspace, storeMarkerFile), 'another-store\n')
    const swept = sweepOrphans(db, workspace, { isAlive })
    expect(swept.removed).toEqual([])
    expect(swept.skipped).toMatch(/names another store \(another-store\); orphan files are left alone/)
    expect(readdirSync(join(workspace, 'interpolations'))).toHaveLength(1)
  })
})
