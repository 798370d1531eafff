// Several `workbench` processes started at once on a new store (a script that fans out, a runner beside the UI):
// each one succeeds, and the bundled sample is registered once.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DatasetSummarySchema } from '../../shared/dataset'
import { moduleUrl, runRace } from '../core/store/race-harness'

describe('workbench processes opening a new store at once', () => {
  it('all succeed and the sample is registered once', async () => {
    const script = `
      import { barrier } from '${moduleUrl(resolve('src/main/core/store/race-harness.ts'))}'
      import { main } from '${moduleUrl(resolve('src/main/cli/main.ts'))}'
      await barrier()
      process.exitCode = await main(process.argv.slice(2))
    `
    for (let round = 0; round < 2; round++) {
      const root = mkdtempSync(join(tmpdir(), 'wb-cli-open-'))
      const common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
      const outcomes = await runRace(script, 5, () => [...common, 'datasets', '--json'], 90_000)
      for (const o of outcomes) {
        expect(o.stderr).toBe('')
        expect(o.code).toBe(0)
        const names = DatasetSummarySchema.array().parse(JSON.parse(o.stdout)).map((d) => d.name)
        expect(names).toEqual(['sample'])
      }
    }
  }, 180_000)
})
