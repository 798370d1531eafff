// Browser mode end to end: the real `workbench serve` on a fresh store, Debian Chromium, the dataset views.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../src/shared/dataset'
import { chromiumStatus, openBrowserSession, screenshotPath, type BrowserSession, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

describe.skipIf(!chromium.available)('datasets in browser mode', () => {
  let server: ServeHandle | undefined
  let session: BrowserSession | undefined
  let context: BrowserContext
  let page: Page
  let sample: DatasetSummary
  let pageProblems: string[] = []

  beforeAll(async () => {
    session = await openBrowserSession('wb-e2e-store-')
    server = session.server
    page = session.page
    context = page.context()
    pageProblems = session.problems
    const response = await fetch(`${server.origin}/api/datasets:list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': server.token },
      body: '{}',
    })
    const list = (await response.json()) as DatasetSummary[]
    const found = list.find((d) => d.name === 'sample')
    if (!found) throw new Error(`the fresh store does not list the sample dataset; the server said: ${JSON.stringify(list)}`)
    sample = found
  })

  afterAll(async () => {
    await session?.close()
  })

  it('lists the sample dataset with its volume count and split', async () => {
    await page.goto(server!.url)
    const row = page.locator('[data-testid="dataset-row"][data-name="sample"]')
    await row.waitFor({ timeout: 30_000 })
    expect(await row.locator('[data-testid="dataset-name"]').textContent()).toBe('sample')
    expect(sample.volumes).toBeGreaterThan(0)
    expect((await row.locator('[data-testid="dataset-volumes"]').textContent())?.trim()).toBe(String(sample.volumes))
    const split = (await row.locator('[data-testid="dataset-split"]').textContent())?.replace(/\s+/g, ' ').trim()
    expect(split).toBe(`${sample.split.train} / ${sample.split.val} / ${sample.split.test}`)
    await page.locator('[data-testid="status-bar"]').getByText('browser mode').waitFor()
    await page.screenshot({ path: screenshotPath('datasets-list') })
  })

  it('shows the volumes of a dataset when it is clicked', async () => {
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').click()
    const rows = page.locator('[data-testid="volume-row"]')
    await rows.first().waitFor({ timeout: 30_000 })
    expect(await rows.count()).toBe(sample.volumes)
    const first = rows.first()
    expect((await first.locator('[data-testid="volume-case"]').textContent())?.trim()).not.toBe('')
    expect(await first.locator('[data-testid="volume-dims"]').textContent()).toMatch(/^\d+ × \d+ × \d+$/)
    expect(await first.locator('[data-testid="volume-subset"]').textContent()).toMatch(/^(train|val|test)$/)
    await page.screenshot({ path: screenshotPath('dataset-volumes'), fullPage: true })
  })

  it('loaded every resource without script errors or CSP violations', () => {
    expect(pageProblems).toEqual([])
  })

  it("shows the server's own words when a call fails", async () => {
    const problem = { error: 'sample: the label file is unreadable', source: 'sample', problem: 'the label file is unreadable' }
    await page.route('**/api/datasets:get', (route) =>
      route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify(problem) }),
    )
    try {
      await page.locator('[data-testid="dataset-row"][data-name="sample"]').click()
      const error = page.locator('[data-testid="detail-error"]')
      await error.waitFor({ timeout: 30_000 })
      expect(await error.textContent()).toContain('Could not load sample: sample: the label file is unreadable')
      await page.screenshot({ path: screenshotPath('dataset-error') })
    } finally {
      await page.unroute('**/api/datasets:get')
    }
    await page.locator('[data-testid="reload"]').click()
    await page.locator('[data-testid="volume-row"]').first().waitFor({ timeout: 30_000 })
  })

  it('refuses a request without the token with 403, and accepts the token header', async () => {
    const origin = server!.origin
    const page403 = await fetch(`${origin}/`)
    expect(page403.status).toBe(403)
    expect(await page403.text()).toMatch(/token/)
    const api403 = await fetch(`${origin}/api/datasets:list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(api403.status).toBe(403)
    const ok = await fetch(`${origin}/api/datasets:list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': server!.token },
      body: '{}',
    })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as DatasetSummary[]).map((d) => d.name)).toContain('sample')
  })

  it('shows the plain refusal in a browser that has no token', async () => {
    // Forget the cookie the tokened page load set; this is now a browser that never saw the token.
    await context.clearCookies()
    const response = await page.goto(server!.origin + '/')
    expect(response?.status()).toBe(403)
    expect(await page.textContent('body')).toMatch(/access token/)
    await page.screenshot({ path: screenshotPath('no-token-refused') })
  })
})
