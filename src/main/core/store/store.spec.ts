import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, schemaVersion, type Db } from './database'
import { latestSchemaVersion } from './migrations'
import { deleteDataset, getDataset, insertDataset, listDatasets, type NewDataset } from './datasets-repo'
import { createRun, failRun, finishRun, getRun, listRuns, markInterruptedRuns, startRun } from './runs-repo'

const opened: Db[] = []
const open = (path: string, upToVersion?: number): Db => {
  const db = openDatabase(path, { upToVersion })
  opened.push(db)
  return db
}
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close()
})

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'wb-store-')), 'w.db')

const dataset = (name: string, cases = ['a', 'b', 'c']): NewDataset => ({
  name,
  layout: 'paired',
  sourceDir: '/data/x',
  description: 'test',
  labels: { '0': 'background', '1': 'organ' },
  preprocessing: {},
  splitSeed: 5,
  splitFractions: { train: 0.75, val: 0.08, test: 0.17 },
  volumes: cases.map((caseId, i) => ({
    caseId,
    imagePath: `/data/x/images/${caseId}.nii.gz`,
    labelPath: `/data/x/labels/${caseId}.nii.gz`,
    dims: [4, 5, 6],
    spacing: [1, 1, 2.5],
    affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 1],
    sliceAxis: 2,
    imageDtype: 'int16',
    labelVoxels: { '0': 100, '1': 20 },
    foregroundSlices: 3,
    subset: i === 0 ? 'test' : 'train',
  })),
})

describe('openDatabase', () => {
  it('creates the schema at the latest version with WAL and foreign keys on', () => {
    const db = open(tempDb())
    expect(schemaVersion(db)).toBe(latestSchemaVersion)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('migrates an older store in place and keeps its data', () => {
    const path = tempDb()
    const v1 = open(path, 1)
    expect(schemaVersion(v1)).toBe(1)
    insertDataset(v1, dataset('old'))
    v1.prepare(`INSERT INTO runs (kind, status, config_json, created_at) VALUES ('train', 'done', '{}', '2026-01-01')`).run()
    v1.close()

    const db = open(path)
    expect(schemaVersion(db)).toBe(latestSchemaVersion)
    const old = getDataset(db, 'old')
    expect(old?.volumes).toBe(3)
    expect(old?.split).toEqual({ train: 2, val: 0, test: 1 })
    // Version 2 added run ownership: the old run reads back with no pid.
    expect(listRuns(db)[0]).toMatchObject({ kind: 'train', status: 'done', pid: null })
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'settings'`).get()).toBeDefined()
  })

  it('refuses a store written by a newer workbench, naming the file', () => {
    const path = tempDb()
    const db = open(path)
    db.pragma(`user_version = ${latestSchemaVersion + 1}`)
    db.close()
    expect(() => openDatabase(path)).toThrow(new RegExp(`${path}.*newer than this workbench`))
  })
})

describe('datasets repository', () => {
  it('round-trips a dataset with its volumes and split', () => {
    const db = open(':memory:')
    const summary = insertDataset(db, dataset('ds'))
    expect(summary).toMatchObject({ name: 'ds', volumes: 3, split: { train: 2, val: 0, test: 1 }, splitSeed: 5 })
    const detail = getDataset(db, 'ds')
    expect(detail?.volumeRecords.map((v) => [v.caseId, v.subset])).toEqual([
      ['a', 'test'],
      ['b', 'train'],
      ['c', 'train'],
    ])
    expect(detail?.volumeRecords[0]).toMatchObject({ dims: [4, 5, 6], spacing: [1, 1, 2.5], labelVoxels: { '0': 100, '1': 20 } })
  })

  it('writes all or nothing: a failing volume leaves no dataset behind', () => {
    const db = open(':memory:')
    expect(() => insertDataset(db, dataset('dup', ['a', 'a']))).toThrow(/UNIQUE/)
    expect(listDatasets(db)).toEqual([])
    expect(db.prepare('SELECT COUNT(*) AS n FROM volumes').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM splits').get()).toEqual({ n: 0 })
  })

  it('deletes a dataset with its volumes and split members (cascade)', () => {
    const db = open(':memory:')
    insertDataset(db, dataset('ds'))
    expect(deleteDataset(db, 'ds')).toBe(true)
    expect(deleteDataset(db, 'ds')).toBe(false)
    for (const table of ['volumes', 'splits', 'split_members']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 })
    }
  })
})

describe('runs repository', () => {
  it('moves a run through queued → running → done and records the result', () => {
    const db = open(':memory:')
    const id = createRun(db, { kind: 'train', seed: 3, config: { lr: 0.001 } })
    expect(getRun(db, id)?.status).toBe('queued')
    startRun(db, id)
    expect(getRun(db, id)).toMatchObject({ status: 'running', pid: process.pid })
    finishRun(db, id, { dice: 0.8 })
    expect(getRun(db, id)).toMatchObject({ status: 'done', result: { dice: 0.8 }, config: { lr: 0.001 }, seed: 3 })
    expect(() => failRun(db, id, 'late')).toThrow(/already ended/)
  })

  it('marks runs of dead processes as failed, leaves live ones running', () => {
    const db = open(':memory:')
    const dead = createRun(db, { kind: 'train', config: {} })
    const alive = createRun(db, { kind: 'train', config: {} })
    startRun(db, dead, 999_999)
    startRun(db, alive, process.pid)
    expect(markInterruptedRuns(db, (pid) => pid === process.pid)).toBe(1)
    expect(getRun(db, dead)).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) })
    expect(getRun(db, alive)?.status).toBe('running')
  })
})
