import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportProgress } from '../../shared/dataset'
import { isInputError } from '../../shared/errors'
import { openDatabase, type Db } from '../core/store/database'
import { listDatasets } from '../core/store/datasets-repo'
import { writeSyntheticDataset } from '../test-support/volumes'
import { createImportDoor, type ImportDoor } from './import-door'

let root: string
let db: Db
let events: ImportProgress[]
let door: ImportDoor
const workspace = (): string => join(root, 'ws')

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-import-door-'))
  db = openDatabase(join(root, 'w.db'))
  events = []
  door = createImportDoor({ db, dbPath: join(root, 'w.db'), workspace: workspace(), emit: (p) => events.push(p) })
})
afterEach(() => db.close())

describe('the import door (datasets:import on a worker thread)', () => {
  it('imports on a worker with its own connection, leaves this thread free, and reports every pair', async () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 4)
    let timerRan = false
    const importing = door.start({ folder, name: 'toy', seed: 2 })
    // The core is synchronous: had it run on this thread, no timer could fire before the import resolved.
    setTimeout(() => (timerRan = true), 0)
    expect(door.active()).toEqual(['toy'])
    const summary = await importing
    expect(timerRan).toBe(true)
    expect(summary).toMatchObject({ name: 'toy', volumes: 4, splitSeed: 2 })
    // The worker's write is visible through this thread's connection.
    expect(listDatasets(db).map((d) => d.name)).toEqual(['toy'])
    expect(events.map((e) => [e.phase, e.done, e.total])).toEqual([
      ['started', 0, 0],
      ['reading', 1, 4],
      ['reading', 2, 4],
      ['reading', 3, 4],
      ['reading', 4, 4],
      ['done', 4, 4],
    ])
    expect(events[4]?.caseId).toBe('case_003')
    expect(door.active()).toEqual([])
  })

  it('cancels mid-way: the call fails in plain words, the last event says cancelled, nothing is stored or left in the workspace', async () => {
    // Resampling 32³ volumes to 0.25 mm makes each pair take long enough to cancel after the first.
    const folder = writeSyntheticDataset(join(root, 'ds'), 12, [32, 32, 32])
    const importing = door.start({ folder, name: 'big', preprocessing: { targetSpacing: [0.25, 0.25, 0.25] } })
    const outcome = importing.then(
      () => undefined,
      (err: unknown) => err,
    )
    await expect.poll(() => events.some((e) => e.phase === 'reading'), { timeout: 60_000 }).toBe(true)
    expect(door.cancel('big')).toEqual({ name: 'big' })
    const err = await outcome
    expect(isInputError(err) && err.source === 'big' ? err.problem : String(err)).toMatch(/^the import was cancelled after \d+ of 12 volumes; nothing was stored$/)
    const last = events[events.length - 1]
    expect(last?.phase).toBe('cancelled')
    expect(last?.done).toBeLessThan(12)
    expect(listDatasets(db)).toEqual([])
    expect(existsSync(join(workspace(), 'datasets', 'big'))).toBe(false)
    expect(door.active()).toEqual([])
  }, 90_000)

  it('refuses a second import of a name being imported, and a cancel of a name not being imported', async () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 2)
    const first = door.start({ folder, name: 'twice' })
    await expect(door.start({ folder, name: 'twice' })).rejects.toMatchObject({ source: 'twice', problem: expect.stringMatching(/being imported already/) })
    await first
    expect(() => door.cancel('twice')).toThrow(/not being imported/)
    // A failure reaches the caller as the core's input error, and the last event says failed.
    await expect(door.start({ folder, name: 'twice' })).rejects.toMatchObject({ source: 'twice', problem: expect.stringMatching(/already exists/) })
    expect(events[events.length - 1]?.phase).toBe('failed')
  })

  it('imports on this thread for an in-memory store, which a worker could not see', async () => {
    const memory = openDatabase(':memory:')
    try {
      const seen: ImportProgress[] = []
      const inMemory = createImportDoor({ db: memory, dbPath: ':memory:', workspace: workspace(), emit: (p) => seen.push(p) })
      const summary = await inMemory.start({ folder: writeSyntheticDataset(join(root, 'ds'), 2), name: 'mem' })
      expect(summary.volumes).toBe(2)
      expect(listDatasets(memory).map((d) => d.name)).toEqual(['mem'])
      expect(seen.map((e) => e.phase)).toEqual(['started', 'reading', 'reading', 'done'])
    } finally {
      memory.close()
    }
  })
})
