// Browser mode end to end: the real `workbench serve` on a fresh store, Debian Chromium, the Plan view.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiError } from '../src/shared/api'
import type { Plan, PlanRequestInput } from '../src/shared/plan'
import { chromiumStatus, openBrowserSession, screenshotPath, type BrowserSession, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

describe.skipIf(!chromium.available)('the Plan view in browser mode', () => {
  let server: ServeHandle | undefined
  let session: BrowserSession | undefined
  let context: BrowserContext
  let page: Page
  let pageProblems: string[] = []

  /** One API call with the token header, as the test's own witness of what the server says. */
  async function call(channel: string, body: unknown): Promise<Response> {
    return fetch(`${server!.origin}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': server!.token },
      body: JSON.stringify(body),
    })
  }

  /** Fills the plan form and presses Create plan. */
  async function submitPlan(density: string, volumes: string, method: 'fixed' | 'random' | 'representative' = 'fixed', seed = '0'): Promise<void> {
    await page.locator('[data-testid="plan-density"]').fill(density)
    await page.locator('[data-testid="plan-volumes"]').fill(volumes)
    await page.locator('[data-testid="plan-method"]').selectOption(method)
    await page.locator('[data-testid="plan-seed"]').fill(seed)
    await page.locator('[data-testid="plan-create"]').click()
  }

  beforeAll(async () => {
    session = await openBrowserSession('wb-e2e-plan-store-', /status of 4\d\d/)
    server = session.server
    page = session.page
    context = page.context()
    pageProblems = session.problems
  })

  afterAll(async () => {
    await session?.close()
  })

  it('opens the Plan view for the sample dataset', async () => {
    await page.goto(server!.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="tab-plan"]').click()
    await page.locator('[data-testid="plan-pick-dataset"]').waitFor()
    await page.locator('[data-testid="plan-dataset"]').selectOption('sample')
    await page.locator('[data-testid="plan-view"][data-dataset="sample"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="plans-empty"]').waitFor({ timeout: 30_000 })
  })

  it('advises on a budget of 40 slices with the recommended rows marked and the finding shown', async () => {
    await page.locator('[data-testid="budget-input"]').fill('40')
    await page.locator('[data-testid="budget-advise"]').click()
    const rows = page.locator('[data-testid="budget-row"]')
    await rows.first().waitFor({ timeout: 30_000 })
    const advice = (await (await call('budget:advise', { dataset: 'sample', slices: 40 })).json()) as { options: unknown[]; rationale: string; recommended: { model2d: unknown; model3d: unknown } }
    expect(await rows.count()).toBe(advice.options.length)
    expect(advice.options.length).toBeGreaterThan(0)
    if (advice.recommended.model2d) expect(await page.locator('[data-testid="budget-recommended-2d"]').count()).toBe(1)
    if (advice.recommended.model3d) expect(await page.locator('[data-testid="budget-recommended-3d"]').count()).toBe(1)
    const rationale = await page.locator('[data-testid="budget-rationale"]').textContent()
    expect(rationale).toContain("The paper's finding:")
    expect(rationale).toContain(advice.rationale)
  })

  it('fills ρ and s from a clicked budget row', async () => {
    const row = page.locator('[data-testid="budget-row"][data-volumes="4"]')
    await row.click()
    const advice = (await (await call('budget:advise', { dataset: 'sample', slices: 40 })).json()) as { options: { volumes: number; density: number; volumeFraction: number }[] }
    const option = advice.options.find((o) => o.volumes === 4)!
    expect(Number(await page.locator('[data-testid="plan-density"]').inputValue())).toBeCloseTo(option.density, 9)
    expect(Number(await page.locator('[data-testid="plan-volumes"]').inputValue())).toBeCloseTo(option.volumeFraction, 9)
  })

  it('writes ρ and s as short decimals (3–4 significant digits) whichever budget row is clicked', async () => {
    const rows = page.locator('[data-testid="budget-row"]')
    const written: string[] = []
    for (let i = 0; i < (await rows.count()); i++) {
      await rows.nth(i).click()
      for (const field of ['plan-density', 'plan-volumes']) written.push(await page.locator(`[data-testid="${field}"]`).inputValue())
    }
    // Not the bisection's 0.0714285714284415: at most four significant digits.
    for (const value of written) expect(value.replace(/^0\.0*/, '').replace('.', '').length, value).toBeLessThanOrEqual(4)
    await page.locator('[data-testid="budget-row"][data-volumes="4"]').click()
  })

  it('creates a fixed plan ρ 0.2 s 0.5 and draws one strip per volume matching the stored plan', async () => {
    await submitPlan('0.2', '0.5', 'fixed', '0')
    const result = page.locator('[data-testid="plan-result"]')
    await result.waitFor({ timeout: 60_000 })
    const planId = Number(await result.getAttribute('data-plan-id'))
    expect(planId).toBeGreaterThan(0)

    const response = await call('plans:get', { planId })
    expect(response.status).toBe(200)
    const plan = (await response.json()) as Plan
    expect(plan.method).toBe('fixed')
    expect(plan.density).toBe(0.2)
    expect(plan.volumes).toBe(0.5)
    expect(plan.items).toHaveLength(8)

    const summary = (await page.locator('[data-testid="plan-summary"]').textContent())?.replace(/\s+/g, ' ')
    expect(summary).toContain(`Plan ${planId}`)
    expect(summary).toContain('ρ 0.2 · s 0.5 · fixed · seed 0 · 8 volumes')
    expect(summary).toContain(`${plan.totalSlices} slices in all`)

    const strips = page.locator('[data-testid="plan-strip"]')
    expect(await strips.count()).toBe(8)
    for (const [i, item] of plan.items.entries()) {
      const strip = strips.nth(i)
      expect(await strip.getAttribute('data-volume')).toBe(item.volume)
      expect((await strip.locator('[data-testid="strip-case"]').textContent())?.trim()).toBe(item.volume)
      // Every slice is a cell; the annotated ones carry strip-cell-selected instead of strip-cell.
      expect(await strip.locator('[data-testid^="strip-cell"]').count()).toBe(item.sliceCount)
      const selected = await strip.locator('[data-testid="strip-cell-selected"]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-slice'))))
      expect(selected).toEqual(item.slices)
    }
    // Show the planner from its top in the screenshot (creating the plan scrolled the left pane to the button).
    await page.locator('[data-testid="budget-recommended-2d"], [data-testid="budget-recommended-3d"]').first().scrollIntoViewIfNeeded()
    await page.locator('[data-testid="budget-planner"]').evaluate((el) => el.parentElement?.scrollTo(0, 0))
    await page.screenshot({ path: screenshotPath('plan-view') })

    // The new plan is listed among the dataset's stored plans.
    await page.locator(`[data-testid="plan-list-row"][data-plan-id="${planId}"]`).waitFor({ timeout: 30_000 })
  })

  it('reopens a stored plan from the list', async () => {
    await submitPlan('0.1', '0.25', 'random', '3')
    const result = page.locator('[data-testid="plan-result"]')
    await page.locator('[data-testid="plan-list-row"]').nth(1).waitFor({ timeout: 60_000 })
    const list = (await (await call('plans:list', { dataset: 'sample' })).json()) as Plan[]
    const fixed = list.find((p) => p.method === 'fixed' && p.density === 0.2 && p.volumes === 0.5)!
    expect(await result.getAttribute('data-plan-id')).not.toBe(String(fixed.planId))
    await page.locator(`[data-testid="plan-list-row"][data-plan-id="${fixed.planId}"]`).click()
    await page.locator(`[data-testid="plan-result"][data-plan-id="${fixed.planId}"]`).waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="plan-strip"]').count()).toBe(fixed.items.length)
  })

  it('exports the plan on show as a CSV slice list into a folder, and refuses a non-empty folder', async () => {
    const shownId = Number(await page.locator('[data-testid="plan-result"]').getAttribute('data-plan-id'))
    const plan = (await (await call('plans:get', { planId: shownId })).json()) as Plan
    const out = mkdtempSync(join(tmpdir(), 'wb-e2e-plan-export-'))
    const folder = join(out, 'for-annotators')
    await page.locator('[data-testid="plan-export-format"]').selectOption('csv')
    await page.locator('[data-testid="plan-export-folder"]').fill(folder)
    await page.locator('[data-testid="plan-export-submit"]').click()
    await page.locator('[data-testid="plan-export-done"]').waitFor({ timeout: 30_000 })
    const rows = readFileSync(join(folder, 'slices.csv'), 'utf8').trim().split('\n')
    // A header and one row per annotated slice.
    expect(rows.length - 1).toBe(plan.totalSlices)
    await page.screenshot({ path: screenshotPath('plan-export.png') })
    await page.locator('[data-testid="plan-export-submit"]').click()
    await expect(page.locator('[data-testid="plan-export-error"]').waitFor({ timeout: 30_000 })).resolves.toBeUndefined()
    expect(await page.locator('[data-testid="plan-export-error"]').textContent()).toMatch(/exists and is not empty/)
  })

  const refusals: [density: string, said: string][] = [
    ['0', 'density ρ must be a fraction above 0 and at most 1; it is 0'],
    ['1.5', 'density ρ must be a fraction above 0 and at most 1; it is 1.5'],
    ['', 'density ρ is empty: type a fraction above 0 and at most 1'],
  ]
  for (const [density, said] of refusals) {
    it(`refuses ρ = "${density}" in the form's words and leaves the plan on show`, async () => {
      const request: PlanRequestInput = { dataset: 'sample', density: density === '' ? Number.NaN : Number(density), volumeFraction: 0.5, method: 'fixed', seed: 0 }
      const refused = await call('plans:create', request)
      expect(refused.ok).toBe(false)
      expect(((await refused.json()) as ApiError).error).toMatch(/density/)

      const shownId = await page.locator('[data-testid="plan-result"]').getAttribute('data-plan-id')
      expect(Number(shownId)).toBeGreaterThan(0)
      await submitPlan(density, '0.5')
      const error = page.locator('[data-testid="plan-error"]')
      await error.waitFor({ timeout: 30_000 })
      const text = (await error.textContent())?.replace(/\s+/g, ' ').trim()
      expect(text).toBe(`Could not create the plan: ${said}`)
      expect(text).not.toMatch(/plans:create|Too small|Invalid input/)
      // The view stays as it was: the plan on show and its strips.
      expect(await page.locator('[data-testid="plan-result"]').getAttribute('data-plan-id')).toBe(shownId)
      expect(await page.locator('[data-testid="plan-strip"]').count()).toBeGreaterThan(0)
      await page.screenshot({ path: screenshotPath(`plan-error-density-${density.replace('.', '_') || 'empty'}`) })
    })
  }

  it('keeps the form, the budget and the plan on show when the user leaves the tab and comes back', async () => {
    await page.locator('[data-testid="budget-input"]').fill('25')
    await page.locator('[data-testid="plan-density"]').fill('0.3')
    await page.locator('[data-testid="plan-volumes"]').fill('0.75')
    await page.locator('[data-testid="plan-method"]').selectOption('representative')
    await page.locator('[data-testid="plan-rule"]').selectOption('kmedoids')
    await page.locator('[data-testid="plan-seed"]').fill('7')
    const shownId = await page.locator('[data-testid="plan-result"]').getAttribute('data-plan-id')

    await page.locator('[data-testid="tab-datasets"]').click()
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor()
    await page.locator('[data-testid="tab-plan"]').click()
    await page.locator('[data-testid="plan-view"][data-dataset="sample"]').waitFor()

    expect(await page.locator('[data-testid="budget-input"]').inputValue()).toBe('25')
    expect(await page.locator('[data-testid="plan-density"]').inputValue()).toBe('0.3')
    expect(await page.locator('[data-testid="plan-volumes"]').inputValue()).toBe('0.75')
    expect(await page.locator('[data-testid="plan-method"]').inputValue()).toBe('representative')
    expect(await page.locator('[data-testid="plan-rule"]').inputValue()).toBe('kmedoids')
    expect(await page.locator('[data-testid="plan-seed"]').inputValue()).toBe('7')
    await page.locator(`[data-testid="plan-result"][data-plan-id="${shownId}"]`).waitFor({ timeout: 30_000 })
  })

  it('loaded every resource without script errors or CSP violations', () => {
    expect(pageProblems).toEqual([])
  })
})
