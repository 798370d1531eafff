// The product's training loop (trainJob, as the worker runs it) learns: on a fixed tiny task it drives the loss
// well below where it started and segments held-back volumes it never saw. A trainer that steps uphill, or one
// that never updates its weights, fails here; the specs that only check Dice ∈ [0, 1] do not notice either.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { discsJob } from './learning.spec-helpers'
import { trainJob } from './train'

describe('trainJob learns', () => {
  it('drives the loss of a tiny U-Net below a quarter of its start and reaches Dice ≥ 0.85 on held-back volumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-learns-'))
    const result = await trainJob(discsJob(dir))
    const losses = result.curve.map((p) => p.loss)
    expect(losses).toHaveLength(8)
    // Means over 5 steps each: the first window starts near ln 2 (two classes, near-uniform predictions).
    const [first, last] = [losses[0] as number, losses.at(-1) as number]
    expect(first).toBeGreaterThan(0.3)
    expect(last, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`).toBeLessThan(first / 4)
    const e = result.evaluation
    expect(e?.split).toBe('test')
    expect(e?.volumes.map((v) => v.caseId)).toEqual(['disc_11', 'disc_12'])
    for (const v of e?.volumes ?? []) expect(v.dice, v.caseId).toBeGreaterThanOrEqual(0.85)
    // The same seed replays the same run.
    const again = await trainJob(discsJob(dir, {}, 2))
    expect(again.curve.map((p) => p.loss)).toEqual(losses)
  })
})
