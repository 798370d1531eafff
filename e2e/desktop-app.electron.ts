// The desktop app end to end, on a machine that can run Electron (`npm run test:desktop`): the real built app on a
// fresh store, driven with Playwright's Electron support. It checks the page comes from app://, the dataset list,
// an IPC round trip, the preload's refusal of a channel outside the shared map, a progress event, and a clean quit.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkbenchBridge } from '../src/shared/api'

/** The preload's bridge inside the page (this file is type-checked without the DOM's Window). */
type PageGlobal = { workbench: WorkbenchBridge }

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const executablePath = process.env.WORKBENCH_ELECTRON
const sampleFolder = join(repoRoot, 'resources', 'sample-data')

describe.skipIf(!executablePath)('desktop app (Electron)', () => {
  let app: ElectronApplication
  let page: Page

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'wb-desktop-'))
    const env = { ...process.env, WORKBENCH_DB: join(home, 'workbench.db'), WORKBENCH_HOME: join(home, 'workspace') } as Record<string, string>
    delete env.ELECTRON_RUN_AS_NODE
    app = await _electron.launch({ executablePath: executablePath!, args: [repoRoot], env, timeout: 60_000 })
    page = await app.firstWindow()
  })

  afterAll(async () => {
    await app?.close().catch(() => undefined)
  })

  it('loads the renderer from app:// and lists the sample dataset', async () => {
    expect(page.url()).toMatch(/^app:\/\/workbench\/index\.html/)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 60_000 })
  })

  it('answers an IPC call through the preload, and refuses a channel outside the shared map', async () => {
    const info = await page.evaluate(() => (globalThis as unknown as PageGlobal).workbench.invoke('app:info', {}))
    expect(info).toMatchObject({ ok: true, value: { transport: 'ipc' } })
    // A page script is not bound by the types: call a channel the shared map does not have.
    const refused = await page.evaluate(() => ((globalThis as unknown as PageGlobal).workbench.invoke as (c: string, i: unknown) => Promise<unknown>)('fs:readFile', {}))
    expect(refused).toEqual({ ok: false, error: { error: 'refused: fs:readFile is not a workbench API channel' } })
  })

  it('delivers progress events of a dataset import', async () => {
    const events = await page.evaluate(async (folder) => {
      const bridge = (globalThis as unknown as PageGlobal).workbench
      const seen: unknown[] = []
      const off = bridge.on('datasetImport', (p) => seen.push(p))
      const result = await bridge.invoke('datasets:import', { folder, name: 'sample-copy' })
      off()
      return { result, seen }
    }, sampleFolder)
    expect(events.result).toMatchObject({ ok: true, value: { name: 'sample-copy' } })
    expect(events.seen.length).toBeGreaterThan(0)
  })

  it('quits cleanly', async () => {
    const child = app.process()
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await app.close()
    expect(await exited).toBe(0)
  })
})
