// Issue 14 item 1: two `workbench import` processes of one name with --shape/--spacing at once. Before, the loser's
// cleanup removed the shared output folder, so the stored dataset's files were gone. Now each attempt writes its
// own staging folder and publishes it inside the commit: the winner's files stay, the loser is told the name is
// taken, and nothing of the loser is left in the workspace.
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { moduleUrl, runRace } from '../core/store/race-harness'
import { sampleDataDir } from '../test-support/shared-data'

const script = `
  import { barrier } from '${moduleUrl(resolve('src/main/core/store/race-harness.ts'))}'
  import { main } from '${moduleUrl(resolve('src/main/cli/main.ts'))}'
  await barrier()
  process.exitCode = await main(process.argv.slice(2))
`

describe('two imports of the same name at once', () => {
  it('leave the winner with every file and the loser with a clear error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-import-race-'))
    const dbPath = join(root, 'w.db')
    const workspace = join(root, 'ws')
    const args = ['--db', dbPath, '--workspace', workspace, '--no-sample', 'import', sampleDataDir, '--name', 'twin', '--shape', '24,28,20', '--spacing', '1.5,1.5,1.5']
    const outcomes = await runRace(script, 3, () => args, 120_000)
    const won = outcomes.filter((o) => o.code === 0)
    const lost = outcomes.filter((o) => o.code !== 0)
    expect(won).toHaveLength(1)
    expect(won[0]?.stdout).toMatch(/imported twin: 20 volumes/)
    for (const o of lost) {
      expect(o.code).toBe(1)
      expect(o.stderr.trim().split('\n')).toHaveLength(1)
      expect(o.stderr).toMatch(/twin: a dataset with this name already exists/)
    }
    const db = new Database(dbPath, { readonly: true })
    try {
      const paths = db.prepare('SELECT image_path AS image, label_path AS label FROM volumes').all() as { image: string; label: string }[]
      expect(paths).toHaveLength(20)
      const missing = paths.flatMap((p) => [p.image, p.label]).filter((p) => !existsSync(p))
      expect(missing).toEqual([])
    } finally {
      db.close()
    }
    // Only the winner's attempt is published; no loser's staging folder is left behind.
    expect(readdirSync(join(workspace, 'datasets', 'twin'))).toHaveLength(1)
    expect(readdirSync(join(workspace, 'staging'))).toEqual([])
  }, 180_000)
})
