import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiChannels } from '../../shared/api'
import { trainBackends, type BackendProbe } from '../../shared/training'
import { openWorkbench, type WorkbenchContext } from './open-workbench'

let ctx: WorkbenchContext
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'wb-open-'))
  ctx = openWorkbench({ dbPath: join(root, 'w.db'), workspace: join(root, 'ws'), transport: 'http' })
})
afterAll(() => ctx.close())

/** Calls a handler the way the doors do: input parsed with the channel's schema, output checked with it. */
async function call<C extends keyof typeof apiChannels>(channel: C, input: unknown): Promise<unknown> {
  const parsed = apiChannels[channel].input.parse(input)
  const handler = ctx.handlers[channel] as (i: unknown) => Promise<unknown>
  return apiChannels[channel].output.parse(await handler(parsed))
}

describe('the API handlers over a fresh store', () => {
  it('list the sample, plan on it, advise a budget, interpolate the plan and list the run', async () => {
    expect(await call('datasets:list', {})).toEqual([expect.objectContaining({ name: 'sample', volumes: 20 })])
    const plan = (await call('plans:create', { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })) as { planId: number }
    expect(await call('plans:get', { planId: plan.planId })).toEqual(plan)
    expect(await call('plans:list', { dataset: 'sample' })).toEqual([plan])
    const advice = (await call('budget:advise', { dataset: 'sample', slices: 40 })) as { options: unknown[] }
    expect(advice.options.length).toBeGreaterThan(0)
    const run = (await call('interpolation:run', { planId: plan.planId, method: 'nearest' })) as { runId: number; volumes: unknown[] }
    expect(run.volumes).toHaveLength(4)
    expect(await call('interpolation:get', { runId: run.runId })).toEqual(run)
    expect(await call('runs:list', { kind: 'interpolation' })).toEqual([expect.objectContaining({ id: run.runId, status: 'done' })])
  })

  it('say what each training backend finds on this machine, probing it once per process', async () => {
    const probe = (await call('training:backends', {})) as BackendProbe
    expect(probe.rungs.map((r) => r.name)).toEqual([...trainBackends])
    // The rung a run without --backend takes is the first available one (wasm and cpu always are).
    expect(probe.chosen).toBe(probe.rungs.find((r) => r.available)?.name)
    expect(probe.rungs.find((r) => r.name === 'wasm')?.available).toBe(true)
    // A software adapter is never chosen by itself.
    const webgpu = probe.rungs.find((r) => r.name === 'webgpu')
    if (webgpu?.adapter?.software) expect(webgpu.available).toBe(false)
    // Remembered: the same answer, not a second adapter request.
    expect(await ctx.handlers['training:backends']({})).toBe(await ctx.handlers['training:backends']({}))
  })

  it('refuses unknown names and ids with input errors', async () => {
    await expect(call('datasets:get', { name: 'nope' })).rejects.toMatchObject({ name: 'InputError', source: 'nope' })
    await expect(call('plans:get', { planId: 999 })).rejects.toMatchObject({ name: 'InputError' })
    await expect(call('interpolation:get', { runId: 999 })).rejects.toMatchObject({ name: 'InputError' })
  })
})
