// `workbench train --val-every N --patience K` on the sample: the validation curve and what early stopping did
// are recorded with the run and printed; patience without an interval is refused before anything is stored.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainResultSchema } from '../../shared/training'
import { cliRunner } from '../test-support/cli-harness'

let common: string[]
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'wb-cli-val-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

const cli = cliRunner(() => common)
const tiny = ['--depth', '1', '--base', '4', '--batch', '2', '--steps', '6']

describe('workbench train with validation', () => {
  it('records the validation curve and the early-stopping settings with the run', async () => {
    const trained = await cli('train', '--dataset', 'sample', ...tiny, '--val-every', '2', '--patience', '5', '--json')
    expect(trained.err).toBe('')
    expect(trained.code).toBe(0)
    const run = JSON.parse(trained.out) as { runId: number; config: { valEvery: number; patience: number }; result: unknown }
    expect(run.config).toMatchObject({ valEvery: 2, patience: 5 })
    const result = TrainResultSchema.parse(run.result)
    // Three evaluations cannot exhaust a patience of 5: every step is taken, the best weights are evaluated.
    expect(result.validation).toMatchObject({ every: 2, patience: 5, volumes: 2, stoppedAt: null, evaluatedWeights: 'best' })
    expect(result.validation?.curve.map((p) => p.step)).toEqual([2, 4, 6])
    const stored = JSON.parse((await cli('runs', 'show', String(run.runId))).out) as { config: Record<string, unknown> }
    expect(stored.config).toMatchObject({ valEvery: 2, patience: 5 })
    const printed = await cli('train', '--dataset', 'sample', ...tiny, '--val-every', '3')
    expect(printed.out).toMatch(/^validation every 3 steps on 2 volumes: best Dice \d\.\d{3} at step [36]; evaluated the last weights$/m)
  })

  it('refuses --patience without --val-every, naming the option, and stores nothing', async () => {
    const before = (await cli('runs', '--json')).out
    const r = await cli('train', '--dataset', 'sample', ...tiny, '--patience', '3')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/patience.*--val-every/)
    expect((await cli('runs', '--json')).out).toBe(before)
  })
})
