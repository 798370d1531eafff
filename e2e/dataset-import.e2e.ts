// Browser mode end to end: importing a dataset folder from the Datasets view's path field, and a bad path
// explained in plain words with nothing stored. (The native folder dialog exists only in the desktop app.)
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../src/shared/dataset'
import { apiCall, chromiumStatus, openBrowserSession, repoRoot, screenshotPath, type BrowserSession } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

const sampleFolder = join(repoRoot, 'resources', 'sample-data')

describe.skipIf(!chromium.available)('dataset import in browser mode', () => {
  let session: BrowserSession | undefined
  let page: Page

  async function storedNames(): Promise<string[]> {
    return (await apiCall<DatasetSummary[]>(session!.server, 'datasets:list', {})).map((d) => d.name)
  }

  beforeAll(async () => {
    // The failing import answers 422, which Chromium logs as a failed resource load.
    session = await openBrowserSession('wb-e2e-import-', /status of 422/)
    page = session.page
    await page.goto(session.server.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
  })

  afterAll(async () => {
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
    await page.locator('[data-testid="import-submit"]').click()
    const row = page.locator('[data-testid="dataset-row"][data-name="sample-copy"]')
    await row.waitFor({ timeout: 60_000 })
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

  it('saw no script errors or CSP violations', () => {
    expect(session!.problems).toEqual([])
  })
})
