import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../core/store/database'
import { listDatasets } from '../../core/store/datasets-repo'
import { repoRoot } from '../../test-support/shared-data'
import { writeSyntheticDataset } from '../../test-support/volumes'
import { main } from '../main'
import type { CliIo } from '../output'

let root: string
let common: string[]
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-import-'))
  common = ['--no-sample', '--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

describe('workbench import', () => {
  it('draws a progress bar on stderr, one step a pair, when stderr is a terminal', async () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 3)
    let out = ''
    let err = ''
    const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), errInline: (t) => (err += t), interactive: true }
    expect(await main([...common, 'import', folder, '--name', 'toy'], io)).toBe(0)
    const frames = err.split('\r').filter(Boolean)
    expect(frames.map((f) => f.match(/ (\d+\/\d+) (case_\d+)/)?.slice(1))).toEqual([
      ['1/3', 'case_000'],
      ['2/3', 'case_001'],
      ['3/3', 'case_002'],
    ])
    expect(frames[2]).toMatch(/^import \[#{30}\]/)
    expect(out).toMatch(/^imported toy: 3 volumes/)
  })

  it('stops cleanly on Ctrl+C: says so, stores nothing and removes the files it wrote', async () => {
    // Resampling 32³ volumes to 0.25 mm is slow enough to interrupt after the first pair is written.
    const folder = writeSyntheticDataset(join(root, 'ds'), 12, [32, 32, 32])
    const child = spawn(process.execPath, [join(repoRoot, 'src/main/cli/bin.mjs'), ...common, 'import', folder, '--name', 'big', '--spacing', '0.25,0.25,0.25'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    // Files are written into the attempt's own staging folder (staging/<attempt>/data/images) until the commit.
    const staging = join(root, 'ws', 'staging')
    const stagedImages = (): number =>
      existsSync(staging) ? readdirSync(staging).reduce((n, attempt) => n + (existsSync(join(staging, attempt, 'data', 'images')) ? readdirSync(join(staging, attempt, 'data', 'images')).length : 0), 0) : 0
    await expect.poll(stagedImages, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0)
    child.kill('SIGINT')
    const code = await exited
    expect(code, stderr).toBe(130)
    expect(stderr).toMatch(/workbench: error: the import of big was cancelled; nothing was stored/)
    expect(existsSync(join(root, 'ws', 'datasets', 'big'))).toBe(false)
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([])
    const db = openDatabase(join(root, 'w.db'))
    try {
      expect(listDatasets(db)).toEqual([])
    } finally {
      db.close()
    }
  }, 120_000)
})
