// The first-run path end to end in browser mode (issue 16): the real `workbench serve` on a fresh store, Debian
// Chromium, the bundled sample. From the first screen, "Use the sample data", then every step through the UI
// alone: a plan, its interpolation inspected (slice stepping included), a few training steps on it, a tiny sweep
// run to the end, and its Results figure. Each step asserts what it shows and leaves a screenshot
// test-output/e2e/first-run-N-<step>.png; WORKBENCH_UPDATE_SCREENSHOTS=1 copies four of them over the README's
// screenshots in resources/screenshots/.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Plan } from '../src/shared/plan'
import type { InterpolationRun } from '../src/shared/interpolation'
import type { LayerVoxels } from '../src/shared/inspect'
import type { RunRecord } from '../src/shared/run'
import type { SweepStatus } from '../src/shared/sweep'
import { countPixels, decodePng } from './png-pixels'
import { drawsForBurst } from './slice-steps'
import { apiCall, chromiumStatus, openBrowserSession, repoRoot, screenshotPath, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

// The image is grey; the overlays' label colours (label-colours.ts) are not.
const coloured = (r: number, g: number, b: number): boolean => Math.max(r, g, b) - Math.min(r, g, b) > 60

/** The README's screenshots (resources/screenshots/<value>.png) and the screenshot of this walk each is. */
const readmeScreenshots: Record<string, string> = {
  'first-run-1-start': 'first-screen',
  'first-run-3-inspect': 'inspector',
  'first-run-3-inspect-3d': 'inspector-3d',
  'first-run-6-results': 'results',
}

/** Of the given slices, the one where the smaller of the label-1 and label-2 voxel counts is largest. */
function bothLabelsSlice(layer: LayerVoxels, among: ReadonlySet<number>): number {
  const [nx, ny] = layer.dims
  const counts = new Map<number, [number, number]>()
  layer.voxels.forEach((value, p) => {
    if (value !== 1 && value !== 2) return
    const at = [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))][layer.sliceAxis]!
    const c = counts.get(at) ?? [0, 0]
    c[value - 1]! += 1
    counts.set(at, c)
  })
  let best = [...among][0] ?? 0
  for (const index of among) if (Math.min(...(counts.get(index) ?? [0, 0])) > Math.min(...(counts.get(best) ?? [0, 0]))) best = index
  return best
}

/** Two animation frames: whatever was scheduled has been drawn. */
async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))')
}

async function activeTab(page: Page): Promise<string | null> {
  return page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-testid')
}

describe.skipIf(!chromium.available)('the first run: from the first screen to a Results figure on the sample data', () => {
  let session: Awaited<ReturnType<typeof openBrowserSession>>
  let server: ServeHandle
  let page: Page
  let planId = 0
  let sweepId = 0

  beforeAll(async () => {
    session = await openBrowserSession('wb-e2e-first-run-')
    server = session.server
    page = session.page
  })
  afterAll(async () => {
    await session?.close()
  })

  it('1. opens on a first screen that lists the six steps in order and offers the sample data', async () => {
    await page.goto(server.url)
    const guide = page.locator('[data-testid="start-guide"]')
    await guide.waitFor({ timeout: 30_000 })
    expect(await activeTab(page)).toBe('tab-datasets')
    const steps = guide.locator('[data-testid="start-step"]')
    expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-view')))).toEqual(['datasets', 'plan', 'inspect', 'train', 'sweeps', 'results'])
    expect(await steps.locator('strong').allTextContents()).toEqual(['Import', 'Plan', 'Inspect', 'Train', 'Sweep', 'Results'])
    // The sample is registered on the store's first use and the first screen says what it is.
    await page.locator('[data-testid="start-sample"][data-available="true"]').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="start-sample"]').textContent()).toMatch(/sample: 20 MRI volumes of the hippocampus with their labels \(\d+ for training\)/)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor()
    await page.screenshot({ path: screenshotPath('first-run-1-start') })
  })

  it('2. "Use the sample data" opens Plan on the sample, and a plan is made from the form', async () => {
    await page.locator('[data-testid="start-use-sample"]').click()
    await page.locator('[data-testid="plan-view"][data-dataset="sample"]').waitFor({ timeout: 30_000 })
    expect(await activeTab(page)).toBe('tab-plan')
    expect(await page.locator('[data-testid="plan-dataset"]').inputValue()).toBe('sample')
    await page.locator('[data-testid="plans-empty"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="plan-density"]').fill('0.2')
    await page.locator('[data-testid="plan-volumes"]').fill('0.25')
    await page.locator('[data-testid="plan-method"]').selectOption('fixed')
    await page.locator('[data-testid="plan-seed"]').fill('0')
    await page.locator('[data-testid="plan-create"]').click()
    const result = page.locator('[data-testid="plan-result"]')
    await result.waitFor({ timeout: 60_000 })
    planId = Number(await result.getAttribute('data-plan-id'))
    const plan = await apiCall<Plan>(server, 'plans:get', { planId })
    expect(plan.density).toBe(0.2)
    expect(await result.locator('[data-testid="plan-strip"]').count()).toBe(plan.items.length)
    expect(plan.items.length).toBeGreaterThan(0)
    await page.screenshot({ path: screenshotPath('first-run-2-plan') })
  })

  it('3. Inspect says what to do, interpolates the plan, draws both masks and steps one slice per wheel notch', async () => {
    await page.locator('[data-testid="tab-inspect"]').click()
    // No run yet: the empty state says how to make one.
    expect(await page.locator('[data-testid="inspect-pick-run"]').textContent()).toMatch(/press Run interpolation/)
    await page.locator(`[data-testid="inspect-plan"] option[value="${planId}"]`).waitFor({ state: 'attached', timeout: 30_000 })
    await page.locator('[data-testid="inspect-plan"]').selectOption(String(planId))
    await page.locator('[data-testid="inspect-method"]').selectOption('propagate')
    await page.locator('[data-testid="inspect-interpolate"]').click()
    const inspector = page.locator('[data-testid="inspector-view"][data-run-id][data-volume-id]')
    await inspector.waitFor({ timeout: 120_000 })
    const run = await apiCall<InterpolationRun>(server, 'interpolation:get', { runId: Number(await inspector.getAttribute('data-run-id')) })
    expect(run.planId).toBe(planId)
    const volumeId = Number(await inspector.getAttribute('data-volume-id'))
    const volume = run.volumes.find((v) => v.volumeId === volumeId)
    expect(volume).toBeDefined()
    await page.locator('[data-testid="inspect-loading"]').waitFor({ state: 'detached', timeout: 60_000 })
    expect(await page.locator('[data-testid="iou-bar"]').count()).toBe(volume!.slices.length)

    // Five wheel notches inside one frame: five slices on, drawn once.
    const view = page.locator('[data-testid="slice-view"]')
    await page.locator('[data-testid="slice-view"]:not([data-frames="0"])').waitFor({ timeout: 30_000 })
    const burst = await drawsForBurst(page, 5)
    expect(burst).toEqual({ draws: 1, moved: 5 })

    // On the interpolated slice where the human mask shows most of both labels, both masks show: the human fill and
    // the interpolated outline, each in its label's colour over the grey image.
    const human = await apiCall<LayerVoxels>(server, 'inspect:layer', { runId: run.runId, volumeId, layer: 'human' })
    const interpolated = new Set(volume!.slices.filter((s) => s.source === 'interpolated').map((s) => s.index))
    const fullest = { index: bothLabelsSlice(human, interpolated) }
    await page.locator(`[data-testid="iou-bar"][data-slice="${fullest.index}"]`).click()
    await expect.poll(() => view.getAttribute('data-slice')).toBe(String(fullest.index))
    await settle(page)
    await page.screenshot({ path: screenshotPath('first-run-3-inspect') })
    const both = countPixels(decodePng(await view.screenshot()), coloured)
    expect(both).toBeGreaterThan(400)
    // Without the human fill the interpolated outline is left: fewer coloured pixels, but some.
    await page.locator('[data-testid="overlay-human-visible"]').uncheck()
    await settle(page)
    const outline = countPixels(decodePng(await view.screenshot()), coloured)
    expect(outline).toBeGreaterThan(50)
    expect(outline).toBeLessThan(both * 0.8)
    await page.locator('[data-testid="overlay-human-visible"]').check()

    // The 3D view: both surfaces drawn (made in the surface workers), beside the slice.
    await page.locator('[data-testid="inspect-show-3d"]').check()
    const surface = page.locator('[data-testid="surface-view"]')
    await page.locator('[data-testid="surface-view"][data-status="full"]').waitFor({ timeout: 60_000 })
    await settle(page)
    expect(countPixels(decodePng(await surface.screenshot()), coloured)).toBeGreaterThan(200)
    await page.screenshot({ path: screenshotPath('first-run-3-inspect-3d') })
    await page.locator('[data-testid="inspect-show-3d"]').uncheck()
  })

  it('4. Train trains a few steps on the plan and shows the test metrics', async () => {
    await page.locator('[data-testid="tab-train"]').click()
    await page.locator('[data-testid="train-view"]').waitFor()
    expect(await page.locator('[data-testid="train-hint"]').textContent()).toMatch(/start a run/)
    await page.locator(`[data-testid="train-plan"] option[value="${planId}"]`).waitFor({ state: 'attached', timeout: 30_000 })
    await page.locator('[data-testid="train-plan"]').selectOption(String(planId))
    for (const [field, value] of Object.entries({ depth: '1', base: '4', batch: '2', steps: '5', seed: '1' })) await page.locator(`[data-testid="train-${field}"]`).fill(value)
    await page.locator('[data-testid="train-start"]').click()
    const metrics = page.locator('[data-testid="train-metrics"]')
    await metrics.waitFor({ timeout: 180_000 })
    const record = await apiCall<RunRecord>(server, 'runs:get', { runId: Number(await metrics.getAttribute('data-run-id')) })
    expect(record.status).toBe('done')
    // Foreground and the sample's two labels.
    expect(await page.locator('[data-testid="train-class-row"]').count()).toBe(3)
    await page.screenshot({ path: screenshotPath('first-run-4-train') })
  })

  it('5. Sweeps says what to do, then creates the example sweep and runs it to the end', async () => {
    await page.locator('[data-testid="tab-sweeps"]').click()
    await page.locator('[data-testid="sweeps-view"]').waitFor()
    expect(await page.locator('[data-testid="sweeps-empty"]').textContent()).toMatch(/No sweep yet: create one above/)
    await page.locator('[data-testid="sweep-dataset"] option[value="sample"]').waitFor({ state: 'attached', timeout: 30_000 })
    await page.locator('[data-testid="sweep-dataset"]').selectOption('sample')
    await page.locator('[data-testid="sweep-source-grid"]').check()
    await page.locator('[data-testid="sweep-create-button"]').click()
    await page.locator('[data-testid="sweep-created"]').waitFor({ timeout: 60_000 })
    const row = page.locator('[data-testid="sweep-row"]')
    await row.first().waitFor({ timeout: 30_000 })
    sweepId = Number(await row.first().getAttribute('data-sweep-id'))
    await row.first().click()
    const detail = page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"]`)
    await detail.locator('[data-testid="sweep-trials"]').waitFor({ timeout: 30_000 })
    const total = await detail.locator('[data-testid="sweep-trial-row"]').count()
    expect(total).toBeGreaterThan(0)
    await page.locator('[data-testid="sweep-run"]').click()
    await page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"][data-active="false"][data-done="${total}"]`).waitFor({ timeout: 300_000 })
    const stored = await apiCall<SweepStatus>(server, 'sweeps:status', { sweepId })
    expect(stored.trials.every((t) => t.status === 'done')).toBe(true)
    await page.screenshot({ path: screenshotPath('first-run-5-sweep') })
  }, 360_000)

  it('6. Results draws the sweep\'s figures with their sentences', async () => {
    await page.locator(`[data-testid="sweep-results-${sweepId}"]`).click()
    const results = page.locator(`[data-testid="results-view"][data-sweep-id="${sweepId}"]`)
    await results.waitFor({ timeout: 30_000 })
    expect(await activeTab(page)).toBe('tab-results')
    const budget = results.locator('[data-testid="figure"][data-figure-id="fig2-budget"]')
    await budget.locator('[data-testid="figure-svg"] svg').waitFor({ timeout: 60_000 })
    // A drawn figure: marks in the SVG, and a sentence with a measured IoU.
    expect(await budget.locator('svg [aria-roledescription="point"]').count()).toBeGreaterThan(0)
    expect(await budget.locator('[data-testid="figure-sentence"]').textContent()).toMatch(/mean (test|validation) IoU \d\.\d{3}/)
    await budget.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('first-run-6-results') })
  })

  it('goes back to the first screen from the title, and saw no script errors on the way', async () => {
    await page.locator('[data-testid="home"]').click()
    await page.locator('[data-testid="start-guide"]').waitFor()
    expect(await activeTab(page)).toBe('tab-datasets')
    expect(session.problems).toEqual([])
    await page.screenshot({ path: screenshotPath('first-run-7-home') })
    // WORKBENCH_UPDATE_SCREENSHOTS=1: the README's screenshots are replaced by this walk's.
    if (process.env.WORKBENCH_UPDATE_SCREENSHOTS === '1') {
      for (const [from, to] of Object.entries(readmeScreenshots)) copyFileSync(screenshotPath(from), join(repoRoot, 'resources', 'screenshots', `${to}.png`))
    }
  })
})
