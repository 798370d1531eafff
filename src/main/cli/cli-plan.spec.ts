import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { cliRunner } from '../test-support/cli-harness'

let root: string
let common: string[]
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-plan-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

const cli = cliRunner(() => common)

// The output contract of `workbench plan --json` named in the planning issue.
const PlanOutput = z.object({
  planId: z.number().int(),
  density: z.number(),
  volumes: z.number(),
  method: z.string(),
  seed: z.number().int(),
  totalSlices: z.number().int(),
  items: z.array(z.object({ volume: z.string(), slices: z.array(z.number().int()) })),
})

describe('workbench plan / budget / plan export / plan import', () => {
  it('plans on the sample, shows it, and replays it for the same seed', async () => {
    const made = await cli('plan', '--dataset', 'sample', '--density', '0.1', '--volumes', '0.5', '--method', 'random', '--seed', '4', '--json')
    expect(made.code).toBe(0)
    const plan = PlanOutput.parse(JSON.parse(made.out))
    expect(plan).toMatchObject({ density: 0.1, volumes: 0.5, method: 'random', seed: 4 })
    expect(plan.items).toHaveLength(8)
    const again = PlanOutput.parse(JSON.parse((await cli('plan', '--dataset', 'sample', '--density', '0.1', '--volumes', '0.5', '--method', 'random', '--seed', '4', '--json')).out))
    expect(again).toEqual(plan)
    const shown = await cli('plan', 'show', String(plan.planId))
    expect(shown.out).toMatch(new RegExp(`plan ${plan.planId} on sample: ρ=0.1 s=0.5 random, seed 4; 8 volumes, ${plan.totalSlices} slices`))
    // How many annotated slices hold the object in the human mask, in all and per volume (the column sums to the total).
    const summary = /^(\d+) annotated slices? with foreground, (\d+) without \(empty in the human mask\): [\d.]+ % hold the object$/m.exec(shown.out)
    expect(summary, shown.out).not.toBeNull()
    expect(Number(summary![1]) + Number(summary![2])).toBe(plan.totalSlices)
    const rows = shown.out.split('\n').filter((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+[\d ]+$/.test(l))
    expect(rows).toHaveLength(8)
    const withObject = rows.map((l) => l.trim().split(/\s+/).map(Number))
    for (const [, slices, , object] of withObject) expect(object).toBeLessThanOrEqual(slices as number)
    expect(withObject.reduce((a, r) => a + (r[3] as number), 0)).toBe(Number(summary![1]))
    const listed = await cli('plans', '--json')
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ planId: plan.planId })])
  })

  it('plans with representative selection', async () => {
    const made = await cli('plan', '--dataset', 'sample', '--density', '0.2', '--volumes', '0.25', '--method', 'representative', '--rule', 'kmedoids', '--json')
    expect(made.code).toBe(0)
    expect(PlanOutput.parse(JSON.parse(made.out)).method).toBe('representative')
  })

  it('lists the ways to spend a budget, with the paper’s recommendation', async () => {
    const { code, out } = await cli('budget', '--dataset', 'sample', '--slices', '60', '--json')
    expect(code).toBe(0)
    const advice = JSON.parse(out) as { options: { volumes: number; totalSlices: number }[]; recommended: { model2d: { volumes: number } } }
    expect(advice.options.length).toBeGreaterThan(3)
    expect(advice.recommended.model2d.volumes).toBe(Math.max(...advice.options.map((o) => o.volumes)))
    const text = await cli('budget', '--dataset', 'sample', '--slices', '60')
    expect(text.out).toMatch(/recommended for 2D models: \d+ volumes/)
    expect(text.out).toMatch(/not a law/)
  })

  it('exports as nnU-Net and imports back the same slices', async () => {
    const plan = PlanOutput.parse(JSON.parse((await cli('plan', '--dataset', 'sample', '--density', '0.2', '--volumes', '0.25', '--method', 'fixed', '--json')).out))
    const out = join(root, 'export-nnunet')
    const exported = await cli('plan', 'export', String(plan.planId), '--format', 'nnunet', '--out', out, '--json')
    expect(exported.code).toBe(0)
    const imported = await cli('plan', 'import', out, '--dataset', 'sample', '--json')
    expect(imported.code).toBe(0)
    const back = PlanOutput.parse(JSON.parse(imported.out))
    expect(back.items).toEqual(plan.items)
    for (const format of ['csv', 'json']) {
      expect((await cli('plan', 'export', String(plan.planId), '--format', format, '--out', join(root, `export-${format}`))).code).toBe(0)
    }
  })

  it('refuses bad input with exit 1 (or 2 for usage) and the problem on stderr', async () => {
    const bad = async (args: string[], code: number, message: RegExp): Promise<void> => {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).toBe(code)
      expect(r.err).toMatch(message)
    }
    await bad(['plan', '--dataset', 'sample', '--density', '0', '--volumes', '0.5', '--method', 'fixed'], 1, /--density: must be a fraction in \(0, 1\]/)
    await bad(['plan', '--dataset', 'sample', '--density', '0.1', '--volumes', '1.5', '--method', 'fixed'], 1, /--volumes/)
    await bad(['plan', '--dataset', 'nope', '--density', '0.1', '--volumes', '0.5', '--method', 'fixed'], 1, /nope: no dataset/)
    await bad(['plan', '--dataset', 'sample', '--density', '0.1'], 2, /needs --volumes/)
    await bad(['plan', 'show', '999'], 1, /plan 999: no plan has this id/)
    await bad(['plan', 'export', '999', '--format', 'csv', '--out', join(root, 'x')], 1, /plan 999/)
    await bad(['budget', '--dataset', 'sample', '--slices', '0'], 1, /≥ 1/)
    await bad(['plan', 'import', join(root, 'nowhere'), '--dataset', 'sample'], 1, /nowhere/)
  })
})
