// "What a lab expects" in the views, end to end in browser mode (the real `workbench serve`, Debian Chromium, the
// bundled sample): the per-slice IoU chart's axes, legend and human foreground band; plan strips with where the
// object is; M.I. in words and the interpolation an M.I. run makes first, linked; History rows that open a run
// (local times, duration, backend, checkpoint, per-volume scores) and delete it with its files.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { volumeFromData, writeNiftiFile } from '../src/main/core/volume'
import type { VolumeForeground, VolumePreview } from '../src/shared/api'
import type { DatasetDetail, DatasetSummary } from '../src/shared/dataset'
import type { SweepStatus } from '../src/shared/sweep'
import type { InterpolationRun } from '../src/shared/interpolation'
import type { Plan } from '../src/shared/plan'
import type { RunRecord } from '../src/shared/run'
import type { TrainResult } from '../src/shared/training'
import { apiCall, chromiumStatus, makeTempDir, openBrowserSession, screenshotPath, type BrowserSession, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

/** A folder of `cases` 10×8×6 image/label pairs (a box of label 1 on slices 2–3) and no dataset.json. */
function writeUnnamedDataset(folder: string, cases: number): void {
  mkdirSync(join(folder, 'images'), { recursive: true })
  mkdirSync(join(folder, 'labels'), { recursive: true })
  const [nx, ny, nz] = [10, 8, 6]
  for (let c = 0; c < cases; c++) {
    const image = new Int16Array(nx * ny * nz)
    const label = new Uint8Array(nx * ny * nz)
    for (let k = 0, p = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++, p++) {
          const inside = i >= 3 && i < 7 && j >= 2 && j < 6 && (k === 2 || k === 3)
          image[p] = (inside ? 800 : 100) + ((i + 2 * j + c) % 7)
          label[p] = inside ? 1 : 0
        }
    writeNiftiFile(join(folder, 'images', `case${c}.nii.gz`), volumeFromData([nx, ny, nz], image))
    writeNiftiFile(join(folder, 'labels', `case${c}.nii.gz`), volumeFromData([nx, ny, nz], label))
  }
}

/**
 * For each element: how far (px) it reaches past the right edge of its pane, and whether it or an ancestor up to
 * the pane scrolls sideways (content hidden until scrolled counts as clipped).
 */
async function overflowOf(page: Page, selector: string): Promise<{ past: number; scrolls: boolean }[]> {
  // Typed for Node, which has no DOM: only the members used.
  type Box = { getBoundingClientRect(): { right: number }; parentElement: Box | null; scrollWidth: number; clientWidth: number; closest(s: string): Box | null }
  return page.locator(selector).evaluateAll((els) =>
    (els as unknown as Box[]).map((el) => {
      const pane = el.closest('.pane, .table-pane') ?? el
      let scrolls = false
      for (let at: Box | null = el; at; at = at === pane ? null : at.parentElement) if (at.scrollWidth > at.clientWidth + 1) scrolls = true
      return { past: Math.max(0, Math.round(el.getBoundingClientRect().right - pane.getBoundingClientRect().right)), scrolls }
    }),
  )
}

/** Opens a tab that works on one dataset (Plan, Inspect, Train) with the sample chosen. */
async function openTab(page: Page, url: string, tab: 'plan' | 'inspect' | 'train'): Promise<void> {
  await page.goto(url)
  await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
  await page.locator(`[data-testid="tab-${tab}"]`).click()
  await page.locator('[data-testid="plan-dataset"]').selectOption('sample')
}

describe.skipIf(!chromium.available)('what a lab expects in the views (browser mode, sample data)', () => {
  let session: BrowserSession
  let server: ServeHandle
  let page: Page
  let plan: Plan
  let run: InterpolationRun

  beforeAll(async () => {
    // runs:get of the deleted run answers 404 once, which Chromium logs.
    session = await openBrowserSession('wb-e2e-lab-views-', /status of 4\d\d/)
    server = session.server
    page = session.page
    plan = await apiCall<Plan>(server, 'plans:create', { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed' })
    run = await apiCall<InterpolationRun>(server, 'interpolation:run', { planId: plan.planId, method: 'nearest' })
  })
  afterAll(async () => {
    await session?.close()
  })

  it('draws the IoU chart with axes, a legend of its colours and the human foreground extent; "empty" is split into both empty and object missed', async () => {
    await openTab(page, server.url, 'inspect')
    await page.locator('[data-testid="inspect-run"]').selectOption(String(run.runId))
    const volume = run.volumes[0]!
    await page.locator(`[data-testid="inspector-view"][data-volume-id="${volume.volumeId}"]`).waitFor({ timeout: 60_000 })
    const chart = page.locator('[data-testid="iou-chart"]')
    await chart.waitFor()
    expect(await chart.locator('[data-testid="iou-legend"] li').allTextContents()).toEqual(['annotated', 'interpolated', 'both empty', 'object missed', 'human foreground'])
    expect(await chart.locator('[data-testid="iou-y-axis"] .y-title').textContent()).toBe('IoU')
    expect(await chart.locator('[data-testid="iou-y-axis"] .tick').allTextContents()).toEqual(['1', '0.5', '0'])
    const xTicks = await chart.locator('[data-testid="iou-x-axis"] .x-tick').allTextContents()
    expect(xTicks[0]).toBe('1')
    expect(xTicks.at(-1)).toBe(String(volume.slices.length))

    // The run records the human foreground per slice; the chart's band and sentence show its extent.
    const human = volume.slices.filter((s) => s.foreground).map((s) => s.index)
    expect(human.length).toBeGreaterThan(0)
    expect(human.length).toBeLessThan(volume.slices.length)
    const extent = chart.locator('[data-testid="foreground-extent"]')
    expect(await extent.getAttribute('data-first')).toBe(String(Math.min(...human)))
    expect(await extent.getAttribute('data-last')).toBe(String(Math.max(...human)))
    expect(await extent.textContent()).toContain(`Human foreground: slices ${Math.min(...human) + 1}–${Math.max(...human) + 1} (${human.length} of ${volume.slices.length})`)
    expect(await chart.locator('[data-testid="foreground-mark"]').count()).toBe(human.length)

    // Each bar's class: an empty prediction is "both empty" where the human mask is empty, "object missed" where not.
    const classes = await chart.locator('[data-testid="iou-bar"]').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-class')))
    const expected = volume.slices.map((s) => (s.source === 'empty' ? (s.foreground ? 'missed' : 'both-empty') : s.source))
    expect(classes).toEqual(expected)
    expect(classes).toContain('both-empty')
    const emptyEnd = volume.slices.find((s) => s.source === 'empty' && !s.foreground)!
    expect(await chart.locator(`[data-testid="iou-bar"][data-slice="${emptyEnd.index}"] title`).textContent()).toContain('both empty: neither mask has foreground')
    await chart.screenshot({ path: screenshotPath('lab-iou-chart') })
    await page.screenshot({ path: screenshotPath('lab-inspector') })
  })

  it('shows in the plan strips where each volume\'s object is, and counts annotated slices with and without foreground', async () => {
    await openTab(page, server.url, 'plan')
    await page.locator(`[data-testid="plan-list-row"][data-plan-id="${plan.planId}"]`).click()
    const result = page.locator(`[data-testid="plan-result"][data-plan-id="${plan.planId}"]`)
    await result.waitFor()
    const foreground = await apiCall<VolumeForeground[]>(server, 'datasets:foreground', { name: 'sample', volumeIds: plan.items.map((i) => i.volumeId) })
    const summary = result.locator('[data-testid="plan-foreground-summary"][data-with]')
    await summary.waitFor({ timeout: 30_000 })
    let withFg = 0
    for (const item of plan.items) {
      const fg = new Set(foreground.find((f) => f.volumeId === item.volumeId)!.slices)
      withFg += item.slices.filter((s) => fg.has(s)).length
    }
    expect(Number(await summary.getAttribute('data-with'))).toBe(withFg)
    expect(Number(await summary.getAttribute('data-without'))).toBe(plan.totalSlices - withFg)
    expect(await summary.textContent()).toContain(`${withFg} annotated slice${withFg === 1 ? '' : 's'} with foreground, ${plan.totalSlices - withFg} without`)
    for (const item of plan.items) {
      const fg = foreground.find((f) => f.volumeId === item.volumeId)!
      const band = result.locator(`[data-testid="plan-strip"][data-volume="${item.volume}"] [data-testid="strip-foreground"]`)
      expect(await band.getAttribute('data-first')).toBe(String(fg.slices[0]))
      expect(await band.getAttribute('data-last')).toBe(String(fg.slices.at(-1)))
      expect(await band.locator('.fg').count()).toBe(fg.slices.length)
    }
    await page.screenshot({ path: screenshotPath('lab-plan-strips') })
  })

  it('fills the name from the folder, names labels from dataset.json ("unnamed" without one), previews a volume\'s middle slice with its label, and removes a dataset saying what it deletes', async () => {
    await page.goto(server.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').click()
    expect(await page.locator('[data-testid="dataset-labels"]').textContent()).toMatch(/Labels: 1 Anterior, 2 Posterior ·/)

    const folder = makeTempDir('wb-e2e-unnamed-')
    try {
      const datasetFolder = join(folder.path, 'unnamed-boxes')
      writeUnnamedDataset(datasetFolder, 4)
      // Imported from the form: the name is filled from the folder's name.
      await page.locator('[data-testid="import-toggle"]').click()
      await page.locator('[data-testid="import-folder"]').fill(datasetFolder)
      expect(await page.locator('[data-testid="import-name"]').inputValue()).toBe('unnamed-boxes')
      await page.locator('[data-testid="import-submit"]').click()
      await page.locator('[data-testid="import-done"]').waitFor({ timeout: 60_000 })
      await page.locator('[data-testid="dataset-row"][data-name="unnamed-boxes"]').click()
      const detail = page.locator('[data-testid="dataset-detail"][data-name="unnamed-boxes"]')
      await detail.waitFor()
      expect(await detail.locator('[data-testid="dataset-labels"]').textContent()).toMatch(/Labels: 1 unnamed \(the folder had no names for them in a dataset\.json\)/)
      expect(await detail.locator('[data-testid="volume-labels"]').first().textContent()).toBe('1 (unnamed): 32')

      // A click on a volume shows its middle slice (index 3 of 6) with the label's 16 voxels there.
      await detail.locator('[data-testid="volume-row"][data-case="case1"]').click()
      const preview = detail.locator('[data-testid="volume-preview"][data-slice="3"]')
      await preview.waitFor()
      expect(await preview.locator('[data-testid="volume-preview-slice"]').textContent()).toBe('Slice 4 of 6 (middle)')
      expect(await preview.locator('[data-testid="volume-preview-canvas"]').getAttribute('data-label-voxels')).toBe('16')
      expect(await preview.locator('[data-testid="volume-preview-legend"] li').allTextContents()).toEqual(['1 unnamed'])
      const volumeId = Number(await preview.getAttribute('data-volume-id'))
      const served = await apiCall<VolumePreview>(server, 'datasets:preview', { name: 'unnamed-boxes', volumeId })
      expect([served.width, served.height, served.slice]).toEqual([10, 8, 3])
      // The canvas shows the label in colour: its centre pixel is not grey.
      // (Typed for Node, which has no DOM: the canvas is described by the one call used.)
      type Canvas2d = { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }
      const centre = await preview
        .locator('[data-testid="volume-preview-canvas"]')
        .evaluate((el) => Array.from((el as unknown as Canvas2d).getContext('2d').getImageData(5, 4, 1, 1).data))
      expect(new Set(centre.slice(0, 3)).size).toBeGreaterThan(1)
      await preview.locator('[data-testid="volume-preview-slider"]').fill('0')
      await detail.locator('[data-testid="volume-preview"][data-slice="0"]').waitFor()
      expect(await detail.locator('[data-testid="volume-preview-canvas"]').getAttribute('data-label-voxels')).toBe('0')
      await page.screenshot({ path: screenshotPath('lab-dataset-preview') })

      // Remove: first what it would delete, then the removal; the list loses it at once.
      await detail.locator('[data-testid="remove-preview"]').click()
      await detail.locator('[data-testid="remove-confirm-box"]').waitFor()
      expect((await detail.locator('[data-testid="remove-line"]').allTextContents()).join(' ')).toMatch(/dataset unnamed-boxes: will remove 4 volume records/)
      expect((await apiCall<DatasetSummary[]>(server, 'datasets:list', {})).map((d) => d.name)).toContain('unnamed-boxes')
      await detail.locator('[data-testid="remove-confirm"]').click()
      expect(await detail.locator('[data-testid="dataset-removed"]').textContent()).toMatch(/dataset unnamed-boxes: removed 4 volume records/)
      expect((await apiCall<DatasetSummary[]>(server, 'datasets:list', {})).map((d) => d.name)).not.toContain('unnamed-boxes')
      // The list drops it at once (no Reload), while the pane keeps saying what was removed.
      await page.locator('[data-testid="dataset-row"][data-name="unnamed-boxes"]').waitFor({ state: 'detached' })
      await detail.locator('[data-testid="dataset-removed"]').waitFor()
    } finally {
      folder.remove()
    }
  })

  let trainRunId = 0
  it('says M.I. in words, and an M.I. run that must interpolate first says so and links that interpolation run', async () => {
    await openTab(page, server.url, 'train')
    await page.locator('[data-testid="train-view"]').waitFor()
    await page.locator('[data-testid="train-plan"]').selectOption(String(plan.planId))
    const mode = page.locator('[data-testid="train-interpolated"]')
    expect(await mode.locator('option').allTextContents()).toContain('train on interpolated masks (M.I.), sdf')
    await mode.selectOption('sdf')
    expect(await page.locator('[data-testid="train-mi-hint"]').textContent()).toMatch(/interpolated \(sdf\) into dense masks.*one is made first/s)
    for (const [field, value] of Object.entries({ depth: '1', base: '4', batch: '2', steps: '3', seed: '1' })) await page.locator(`[data-testid="train-${field}"]`).fill(value)
    const before = await apiCall<RunRecord[]>(server, 'runs:list', { kind: 'interpolation' })
    expect(before.some((r) => r.config.method === 'sdf')).toBe(false)
    await page.locator('[data-testid="train-start"]').click()
    // The plan has no sdf interpolation: the view says the training interpolates first.
    await page.locator('[data-testid="train-interpolating"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="train-metrics"]').waitFor({ timeout: 180_000 })
    trainRunId = Number(await page.locator('[data-testid="train-metrics"]').getAttribute('data-run-id'))
    const made = (await apiCall<RunRecord[]>(server, 'runs:list', { kind: 'interpolation' })).find((r) => r.config.method === 'sdf' && r.config.planId === plan.planId)!
    expect(made.status).toBe('done')
    const note = page.locator('[data-testid="train-interpolation-note"]')
    expect(await note.getAttribute('data-interpolation-run')).toBe(String(made.id))
    expect(await note.textContent()).toMatch(new RegExp(`interpolated masks \\(M\\.I\\.\\).*interpolation run ${made.id}, made for this run`, 's'))
    await note.locator('[data-testid="train-interpolation-link"]').click()
    const detail = page.locator(`[data-testid="run-detail"][data-run-id="${made.id}"]`)
    await detail.waitFor()
    expect(await detail.locator('[data-testid="run-fact-kind"]').textContent()).toBe('interpolation')
  })

  it('creates a sweep from the grid form with its trial count and time estimate, offers Run for it, and never shows "step 0 / 0"', async () => {
    await page.locator('[data-testid="tab-sweeps"]').click()
    const form = page.locator('[data-testid="sweep-form"]')
    await form.waitFor()
    await page.locator('[data-testid="sweep-dataset"] option[value="sample"]').waitFor({ state: 'attached', timeout: 30_000 })
    await page.locator('[data-testid="sweep-dataset"]').selectOption('sample')
    expect(await form.locator('[data-testid="sweep-rho-label"]').getAttribute('title')).toMatch(/^Annotation density ρ: the fraction of each selected volume's slices/)
    expect(await form.locator('[data-testid="sweep-s-label"]').getAttribute('title')).toMatch(/^Volume count s: the fraction of the training volumes/)
    const estimate = form.locator('[data-testid="sweep-estimate"]')
    // 2 seeds × (1 dense + 2 ρ × 1 s × 2 methods × 1 mode) = 10 trials, timed from the M.I. run trained above.
    await form.locator('[data-testid="sweep-form-densities"]').fill('0.1, 0.2')
    await form.locator('[data-testid="sweep-form-method-random"]').check()
    await form.locator('[data-testid="sweep-form-seeds"]').fill('0, 1')
    expect(await estimate.getAttribute('data-trials')).toBe('10')
    expect(await estimate.textContent()).toMatch(/^10 trials \(4 sparse \+ 1 dense baseline per seed\) · about [\d.]+ (ms|s|min \d\d s|h \d\d min) here one trial at a time \(timed from 1 finished run\)$/)
    await form.locator('[data-testid="sweep-form-densities"]').fill('0.2, 1.5')
    expect(await form.locator('[data-testid="sweep-form-problem"]').textContent()).toBe('ρ (density): 1.5 is not a fraction above 0 and at most 1')
    await page.locator('[data-testid="sweep-create-button"]').click()
    expect(await page.locator('[data-testid="sweep-create-error"]').textContent()).toContain('ρ (density): 1.5 is not a fraction')
    expect(await apiCall<unknown[]>(server, 'sweeps:list', {})).toEqual([])

    // The smallest grid: one cell and its dense baseline.
    await form.locator('[data-testid="sweep-form-densities"]').fill('0.2')
    await form.locator('[data-testid="sweep-form-method-random"]').uncheck()
    await form.locator('[data-testid="sweep-form-seeds"]').fill('0')
    expect(await estimate.getAttribute('data-trials')).toBe('2')
    await page.screenshot({ path: screenshotPath('lab-sweep-form') })
    await page.locator('[data-testid="sweep-create-button"]').click()
    await page.locator('[data-testid="sweep-created"]').waitFor({ timeout: 60_000 })
    const sweepId = (await apiCall<{ sweep: { id: number } }[]>(server, 'sweeps:list', {}))[0]!.sweep.id
    const detail = page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"]`)
    await detail.locator('[data-testid="sweep-trial-row"]').first().waitFor({ timeout: 30_000 })
    expect(await detail.locator('[data-testid="sweep-trial-row"]').count()).toBe(2)
    const run = detail.locator('[data-testid="sweep-run"]')
    expect(await run.getAttribute('data-action')).toBe('Run')
    expect((await run.textContent())?.trim()).toBe('Run')
    await run.click()
    // Every progress line seen while it runs names a step count or "starting", never "step 0 / 0".
    const lines = new Set<string>()
    const progress = detail.locator('[data-testid="sweep-progress-text"]')
    const finished = page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"][data-done="2"][data-active="false"]`)
    const until = Date.now() + 240_000
    while (Date.now() < until && (await finished.count()) === 0) {
      const text = await progress.textContent().catch(() => null)
      if (text) lines.add(text)
      await page.waitForTimeout(50)
    }
    await finished.waitFor({ timeout: 1000 })
    expect([...lines].filter((l) => /step 0 \/ 0/.test(l))).toEqual([])
    expect([...lines].some((l) => /trial \d of 2/.test(l))).toBe(true)
    // Nothing is left to run: no Run, no Resume.
    expect(await detail.locator('[data-testid="sweep-run"]').count()).toBe(0)
  }, 300_000)

  it('clips nothing at 1280×800: the stored-plans table, the sweep list\'s Results buttons, the trial error column', async () => {
    // Long contents: a representative plan (the longest method text), and a sweep whose trials fail with a long path.
    await apiCall<Plan>(server, 'plans:create', { dataset: 'sample', density: 0.3, volumeFraction: 0.5, method: 'representative', seed: 12345 })
    // The import records the files where they are; this folder goes at the end of the test.
    const folder = makeTempDir('wb-e2e-layout-')
    onTestFinished(() => folder.remove())
    writeUnnamedDataset(folder.path, 10)
    await apiCall<DatasetSummary>(server, 'datasets:import', { folder: folder.path, name: 'a-dataset-with-a-rather-long-name-for-the-layout', seed: 0 })
    const created = await apiCall<{ sweepId: number }>(server, 'sweeps:create', {
      dataset: 'a-dataset-with-a-rather-long-name-for-the-layout',
      definition: { grid: { densities: [0.5], volumeFractions: [1], models: [{ name: 'tiny2d', model: { kind: 'unet2d', depth: 1, baseChannels: 4 } }] }, train: { steps: 2, batchSize: 2 } },
    })
    // The imported images are gone: every trial fails, naming the missing file.
    const detailOfDataset = await apiCall<DatasetDetail>(server, 'datasets:get', { name: 'a-dataset-with-a-rather-long-name-for-the-layout' })
    for (const v of detailOfDataset.volumeRecords) rmSync(v.imagePath)
    await apiCall(server, 'sweeps:run', { sweepId: created.sweepId })
    await expect
      .poll(async () => (await apiCall<SweepStatus & { active: boolean }>(server, 'sweeps:status', { sweepId: created.sweepId })).counts.failed, { timeout: 60_000 })
      .toBe(2)

    await openTab(page, server.url, 'plan')
    await page.locator('[data-testid="plan-list-row"]').nth(1).waitFor()
    expect(await overflowOf(page, '[data-testid="plan-list"]')).toEqual([{ past: 0, scrolls: false }])

    await page.locator('[data-testid="tab-sweeps"]').click()
    await page.locator(`[data-testid="sweep-row"][data-sweep-id="${created.sweepId}"]`).click()
    const results = await overflowOf(page, '[data-testid^="sweep-results-"]')
    expect(results.length).toBe((await apiCall<unknown[]>(server, 'sweeps:list', {})).length)
    await page.screenshot({ path: screenshotPath('lab-layout-sweeps') })
    expect(results).toEqual(results.map(() => ({ past: 0, scrolls: false })))
    const detail = page.locator(`[data-testid="sweep-detail"][data-sweep-id="${created.sweepId}"]`)
    await detail.locator('[data-testid="sweep-trial-error"]').first().waitFor({ timeout: 30_000 })
    expect(await detail.locator('[data-testid="sweep-trial-error"]').first().textContent()).toMatch(/\//)
    const errors = await overflowOf(page, '[data-testid="sweep-trial-error"]')
    expect(errors.length).toBe(2)
    expect(errors).toEqual([{ past: 0, scrolls: false }, { past: 0, scrolls: false }])
    await page.screenshot({ path: screenshotPath('lab-layout-sweeps') })
  }, 180_000)

  it('opens a History row as the run (local times, duration, backend, checkpoint, per-volume scores) and deletes it with its files', async () => {
    const record = await apiCall<RunRecord>(server, 'runs:get', { runId: trainRunId })
    const result = record.result as unknown as TrainResult
    await page.locator('[data-testid="tab-history"]').click()
    const row = page.locator(`[data-testid="history-row"][data-run-id="${trainRunId}"]`)
    await row.waitFor({ timeout: 30_000 })
    expect(await row.locator('[data-testid="history-duration"]').textContent()).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ min \d\d s$/)
    expect(await row.textContent()).not.toMatch(/\d{4}-\d\d-\d\dT/)
    await row.locator('td.summary').click()
    const detail = page.locator(`[data-testid="run-detail"][data-run-id="${trainRunId}"]`)
    await detail.waitFor()
    expect(await detail.locator('[data-testid="run-fact-backend"]').textContent()).toBe(result.backend)
    expect(await detail.locator('[data-testid="run-fact-checkpoint"]').textContent()).toBe(result.checkpoint)
    expect(await detail.locator('[data-testid="run-fact-started"]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(await detail.locator('[data-testid="run-fact-duration"]').textContent()).not.toBe('—')
    expect(await detail.locator('[data-testid="loss-curve"]').count()).toBeGreaterThanOrEqual(1)
    expect(await detail.locator('[data-testid="run-volume-score"]').count()).toBe(result.evaluation!.volumes.length)
    expect(await detail.locator('[data-testid="run-config"]').textContent()).toContain('interpolated')
    await page.screenshot({ path: screenshotPath('lab-history-run') })
    // With the run open beside it, the table still fits its pane at 1280 × 800.
    const rows = await overflowOf(page, '[data-testid="history-row"]')
    expect(rows).toEqual(rows.map(() => ({ past: 0, scrolls: false })))

    await detail.locator('[data-testid="remove-preview"]').click()
    await detail.locator('[data-testid="remove-confirm-box"]').waitFor()
    expect((await detail.locator('[data-testid="remove-line"]').allTextContents()).join(' ')).toMatch(new RegExp(`run ${trainRunId}: will remove`))
    // Nothing is removed by the preview.
    expect((await apiCall<RunRecord>(server, 'runs:get', { runId: trainRunId })).id).toBe(trainRunId)
    await detail.locator('[data-testid="remove-confirm"]').click()
    await row.waitFor({ state: 'detached', timeout: 30_000 })
    expect(await page.locator('[data-testid="history-removed"]').textContent()).toMatch(new RegExp(`run ${trainRunId}: removed`))
    await expect(apiCall(server, 'runs:get', { runId: trainRunId })).rejects.toThrow(/no run has this id/)
    expect(session.problems).toEqual([])
  })
})
