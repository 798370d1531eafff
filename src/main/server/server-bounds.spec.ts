// Browser mode over the real handlers (a fresh store with the bundled sample): sizes the machine cannot hold and
// unknown keys are refused with a 4xx and a one-line message naming them, never a 500, and nothing is stored.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkbench, type WorkbenchContext } from '../app/open-workbench'
import { sampleDataDir } from '../test-support/shared-data'
import { startServer, type RunningServer } from './server'

let root: string
let ctx: WorkbenchContext
let server: RunningServer
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-server-bounds-'))
  ctx = openWorkbench({ dbPath: join(root, 'w.db'), workspace: join(root, 'ws'), transport: 'http' })
  server = await startServer({ handlers: ctx.handlers, rendererDir: root })
})
afterAll(async () => {
  await server.close()
  ctx.close()
  rmSync(root, { recursive: true, force: true })
})

async function call(channel: string, payload: unknown): Promise<{ status: number; body: { error?: string; source?: string; problem?: string } }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-workbench-token': server.token },
    body: JSON.stringify(payload),
  })
  return { status: res.status, body: (await res.json()) as { error?: string } }
}

describe('browser-mode API: size bounds', () => {
  it('refuses an import target shape this machine cannot hold with the size it would need (before: a 500 from the allocation)', async () => {
    const res = await call('datasets:import', { folder: sampleDataDir, name: 'huge', preprocessing: { targetShape: [100_000, 100_000, 100_000] } })
    expect(res.status).toBe(422)
    expect(res.body.source).toBe('import option preprocessing.targetShape')
    expect(res.body.problem).toMatch(/^100000×100000×100000 would need 16 PB \(4 bytes × 4 copies a voxel\); this machine can give one import at most [\d.]+ [KMGT]B \(half of its [\d.]+ [KMGT]B\)$/)
    expect(res.body.error).not.toMatch(/\n/)
    expect(((await call('datasets:list', {})).body as unknown as { name: string }[]).map((d) => d.name)).toEqual(['sample'])
  })

  it('refuses a target spacing outside 0.01…100 mm in the schema', async () => {
    const res = await call('datasets:import', { folder: sampleDataDir, name: 'fine', preprocessing: { targetSpacing: [0.001, 1, 1] } })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid input for datasets:import: preprocessing.targetSpacing.0: a voxel size is at least 0.01 mm')
  })

  it('refuses a training slice size this machine cannot train, naming the option, the size and the limit', async () => {
    const res = await call('train:start', { dataset: 'sample', config: { sliceSize: [100_000, 100_000], steps: 2 } })
    expect(res.status).toBe(422)
    expect(res.body.error).toMatch(/^train option sliceSize: 100000×100000 would need 55.7 TB \(.*\); this machine can give one training run at most /)
    expect((await call('runs:list', {})).body).toEqual([])
  })
})

describe('browser-mode API: unknown keys', () => {
  it('refuses an unknown key of a payload by name (before: dropped)', async () => {
    const res = await call('datasets:import', { folder: sampleDataDir, name: 'typo', sede: 3 })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe("invalid input for datasets:import: unknown key 'sede'")
    const nested = await call('plans:create', { dataset: 'sample', density: 0.2, volumeFraction: 0.5, method: 'fixed', seeed: 1 })
    expect(nested.body.error).toBe("invalid input for plans:create: unknown key 'seeed'")
  })

  it("refuses a train config's unknown key by name instead of training with the default", async () => {
    const res = await call('train:start', { dataset: 'sample', config: { stepz: 10 } })
    expect(res.status).toBe(422)
    expect(res.body).toEqual({ error: "train config: unknown key 'stepz'", source: 'train config', problem: "unknown key 'stepz'" })
    expect((await call('runs:list', {})).body).toEqual([])
  })

  it('refuses an unknown key of a sweep grid by name and stores no sweep', async () => {
    const grid = { densities: [0.2], volumeFractions: [0.5], models: [{ name: 'tiny', model: { depth: 1, baseChannels: 4 } }] }
    const res = await call('sweeps:create', { dataset: 'sample', definition: { grid: { ...grid, seedz: [1] }, train: { steps: 2 } } })
    expect(res.status).toBe(422)
    expect(res.body.error).toBe("sweep grid: unknown key 'seedz'")
    expect((await call('sweeps:list', {})).body).toEqual([])
  })
})
