// Browser mode end to end: importing a dataset folder from the Datasets view's path field with a live progress
// bar, a bad path explained in plain words with nothing stored, and an import cancelled mid-way that leaves
// nothing behind. (The native folder dialog exists only in the desktop app.)
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { AppInfo } from '../src/shared/api'
import type { DatasetSummary, ImportProgress } from '../src/shared/dataset'
import { apiCall, chromiumStatus, openBrowserSession, repoRoot, screenshotPath, type BrowserSession } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

const sampleFolder = join(repoRoot, 'resources', 'sample-data')

describe.skipIf(!chromium.available)('dataset import in browser mode', () => {
  let session: BrowserSession | undefined
  let page: Page
  /** Every datasetImport event the server pushed, as a second listener (Node's own socket) saw them. */
  const importEvents: ImportProgress[] = []
  let socket: WebSocket | undefined
  const eventsOf = (name: string): ImportProgress[] => importEvents.filter((e) => e.name === name)

  async function storedNames(): Promise<string[]> {
    return (await apiCall<DatasetSummary[]>(session!.server, 'datasets:list', {})).map((d) => d.name)
  }

  beforeAll(async () => {
    // The failing import answers 422, which Chromium logs as a failed resource load.
    session = await openBrowserSession('wb-e2e-import-', /status of 422/)
    page = session.page
    await page.goto(session.server.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
    const { server } = session
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { headers: { origin: server.origin } })
    socket = ws
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { event: string; payload: ImportProgress }
      if (message.event === 'datasetImport') importEvents.push(message.payload)
    })
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done())
      ws.once('error', fail)
    })
  })

  afterAll(async () => {
    socket?.close()
    await session?.close()
  })

  it('offers a path field and no folder-dialog button in browser mode', async () => {
    await page.locator('[data-testid="import-toggle"]').click()
    await page.locator('[data-testid="import-form"]').waitFor()
    expect(await page.locator('[data-testid="import-folder"]').isVisible()).toBe(true)
    expect(await page.locator('[data-testid="import-pick-folder"]').count()).toBe(0)
  })

  it('explains a bad path in plain words and stores nothing', async () => {
    const before = await storedNames()
    const missing = join(repoRoot, 'resources', 'no-such-folder')
    await page.locator('[data-testid="import-folder"]').fill(missing)
    await page.locator('[data-testid="import-name"]').fill('broken')
    await page.locator('[data-testid="import-submit"]').click()
    const error = page.locator('[data-testid="import-error"]')
    await error.waitFor({ timeout: 30_000 })
    expect(await error.textContent()).toContain(`${missing}: cannot read the folder: it does not exist`)
    expect(await page.locator('[data-testid="import-error-next"]').textContent()).toMatch(/Check the path/)
    await page.screenshot({ path: screenshotPath('dataset-import-error') })
    expect(await storedNames()).toEqual(before)
    expect(await page.locator('[data-testid="dataset-row"][data-name="broken"]').count()).toBe(0)
    // A relative path never reaches the server: the form asks for the full path.
    await page.locator('[data-testid="import-folder"]').fill('resources/sample-data')
    await page.locator('[data-testid="import-submit"]').click()
    expect(await page.locator('[data-testid="import-invalid"]').textContent()).toMatch(/full path/)
  })

  it('imports the sample folder under a new name and lists it with its volume count', async () => {
    await page.locator('[data-testid="import-folder"]').fill(sampleFolder)
    await page.locator('[data-testid="import-name"]').fill('sample-copy')
    await page.locator('[data-testid="import-seed"]').fill('7')
    await page.screenshot({ path: screenshotPath('dataset-import-form') })
    // Every text the progress line shows, recorded in the page (the sample imports in well under a second).
    await page.evaluate(`(() => {
      window.progressSeen = []
      const record = () => {
        const el = document.querySelector('[data-testid="import-progress-text"]')
        const text = el ? el.textContent.trim() : ''
        if (text && window.progressSeen[window.progressSeen.length - 1] !== text) window.progressSeen.push(text)
      }
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true })
    })()`)
    await page.locator('[data-testid="import-submit"]').click()
    const row = page.locator('[data-testid="dataset-row"][data-name="sample-copy"]')
    await row.waitFor({ timeout: 60_000 })
    const seen = (await page.evaluate('window.progressSeen')) as string[]
    expect(seen.some((text) => /^\d+ of 20 volumes — hippocampus_\d+$/.test(text)), seen.join(' | ')).toBe(true)
    // Pushed as the worker read each pair: started, 1 … 20 of 20 in order, done.
    const events = eventsOf('sample-copy')
    expect(events.map((e) => e.phase)).toEqual(['started', ...Array<string>(20).fill('reading'), 'done'])
    expect(events.slice(1, 21).map((e) => `${e.done}/${e.total}`)).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}/20`))
    expect(await page.locator('[data-testid="import-progress"]').count()).toBe(0)
    const stored = (await apiCall<DatasetSummary[]>(session!.server, 'datasets:list', {})).find((d) => d.name === 'sample-copy')
    const sample = (await apiCall<DatasetSummary[]>(session!.server, 'datasets:list', {})).find((d) => d.name === 'sample')
    expect(stored?.splitSeed).toBe(7)
    expect(stored?.volumes).toBe(sample?.volumes)
    expect((await row.locator('[data-testid="dataset-volumes"]').textContent())?.trim()).toBe(String(stored?.volumes))
    expect(await page.locator('[data-testid="import-done"]').textContent()).toContain(`Imported sample-copy: ${stored?.volumes} volumes`)
    // The new dataset is selected and its volumes are shown.
    await page.locator('[data-testid="volume-row"]').first().waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="volume-row"]').count()).toBe(stored?.volumes)
    await page.screenshot({ path: screenshotPath('dataset-imported') })
  })

  it('refuses a second import under a name in use, saying to choose another', async () => {
    await page.locator('[data-testid="import-toggle"]').click()
    await page.locator('[data-testid="import-folder"]').fill(sampleFolder)
    await page.locator('[data-testid="import-name"]').fill('sample-copy')
    await page.locator('[data-testid="import-submit"]').click()
    await page.locator('[data-testid="import-error"]').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="import-error"]').textContent()).toContain('sample-copy: a dataset with this name already exists')
    expect(await page.locator('[data-testid="import-error-next"]').textContent()).toMatch(/another name/)
    expect((await storedNames()).filter((n) => n === 'sample-copy')).toHaveLength(1)
  })

  it('cancels a slow import mid-way: says so, stores nothing, leaves no files, and the form imports again after', async () => {
    const { workspace } = await apiCall<AppInfo>(session!.server, 'app:info', {})
    await page.locator('[data-testid="import-folder"]').fill(sampleFolder)
    await page.locator('[data-testid="import-name"]').fill('resampled')
    // Resampling to 0.25 mm writes ~64× the voxels of each volume: slow enough to cancel after the first pairs.
    await page.locator('[data-testid="import-spacing"]').fill('0.25')
    await page.locator('[data-testid="import-submit"]').click()
    const text = page.locator('[data-testid="import-progress-text"]', { hasText: /^[1-9]\d* of 20 volumes — hippocampus_\d+$/ })
    await text.waitFor({ timeout: 120_000 })
    await page.screenshot({ path: screenshotPath('dataset-import-progress') })
    const progress = page.locator('[data-testid="import-progress"]')
    expect(Number(await progress.getAttribute('data-total'))).toBe(20)
    await page.locator('[data-testid="import-cancel"]').click()
    const notice = page.locator('[data-testid="import-cancelled"]')
    await notice.waitFor({ timeout: 60_000 })
    expect(await notice.textContent()).toMatch(/^Import of resampled cancelled after \d+ of 20 volumes; nothing was stored\. Import again/)
    await page.screenshot({ path: screenshotPath('dataset-import-cancelled') })
    expect(await page.locator('[data-testid="import-error"]').count()).toBe(0)
    const events = eventsOf('resampled')
    const last = events[events.length - 1]
    expect(last?.phase).toBe('cancelled')
    expect(last?.done).toBeGreaterThan(0)
    expect(last?.done).toBeLessThan(20)
    expect(await storedNames()).not.toContain('resampled')
    expect(existsSync(join(workspace, 'datasets', 'resampled'))).toBe(false)
    // The form is usable again, and the name is free: the same import without resampling completes.
    await page.locator('[data-testid="import-spacing"]').fill('')
    await page.locator('[data-testid="import-submit"]').click()
    await page.locator('[data-testid="dataset-row"][data-name="resampled"]').waitFor({ timeout: 60_000 })
    expect(await page.locator('[data-testid="import-done"]').textContent()).toContain('Imported resampled: 20 volumes')
  })

  it('saw no script errors or CSP violations', () => {
    expect(session!.problems).toEqual([])
  })
})
