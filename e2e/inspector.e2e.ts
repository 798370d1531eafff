// The interpolation inspector end to end in browser mode: the real `workbench serve`, Debian Chromium.
// Part 1 on the bundled sample: plan, interpolate from the inspector (with its progress), slice view with
// overlays, zoom and pan, the label legend, the IoU chart, worst slices, the 3D view (surfaces from the worker).
// Part 2 on a generated 256³ dataset: slice-scrolling frame rate and the time from choosing a volume to the
// first drawn surface (reported, not asserted), and a cancelled interpolation that leaves nothing behind.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LayerVoxels } from '../src/shared/inspect'
import type { InspectRunSummary } from '../src/shared/inspect'
import type { InterpolationRun } from '../src/shared/interpolation'
import type { Plan } from '../src/shared/plan'
import type { RunRecord } from '../src/shared/run'
import { volumeFromData, writeNiftiFile } from '../src/main/core/volume'
import { countPixels, cropColumns, decodePng, type Pixels } from './png-pixels'
import {
  chromiumStatus,
  ensureRendererBuilt,
  launchChromium,
  makeTempDir,
  openBrowserSession,
  repoRoot,
  screenshotDir,
  screenshotPath,
  startServe,
  type ServeHandle,
  apiCall,
} from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

// Screen colours of the overlays (slice-scene.ts maskColours) over a grey image: green and magenta dominate.
const greenish = (r: number, g: number, b: number): boolean => g > r + 50 && g > b + 40
const magentaish = (r: number, g: number, b: number): boolean => r > g + 60 && b > g + 40
// Label 2 of the human mask (label-colours.ts): blue.
const blueish = (r: number, g: number, b: number): boolean => b > r + 60 && b > g + 30

/** Pixels that differ between two screenshots of one element (any channel by more than 24). */
function differing(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) return a.width * a.height
  let n = 0
  for (let p = 0; p < a.width * a.height * 4; p += 4) {
    if (Math.abs(a.rgba[p]! - b.rgba[p]!) > 24 || Math.abs(a.rgba[p + 1]! - b.rgba[p + 1]!) > 24 || Math.abs(a.rgba[p + 2]! - b.rgba[p + 2]!) > 24) n++
  }
  return n
}

async function shot(locator: Locator): Promise<Pixels> {
  return decodePng(await locator.screenshot())
}

/** Opens the Inspect tab on a dataset. */
async function openInspector(page: Page, url: string, dataset: string): Promise<void> {
  await page.goto(url)
  await page.locator(`[data-testid="dataset-row"][data-name="sample"]`).waitFor({ timeout: 30_000 })
  await page.locator('[data-testid="tab-inspect"]').click()
  await page.locator('[data-testid="inspect-pick-dataset"]').waitFor()
  await page.locator('[data-testid="plan-dataset"]').selectOption(dataset)
  await page.locator('[data-testid="inspector-view"]').waitFor({ timeout: 30_000 })
}

/** Waits until the chosen volume's three layers are loaded and drawn. */
async function waitForVolume(page: Page, volumeId: number): Promise<void> {
  await page.locator(`[data-testid="inspector-view"][data-volume-id="${volumeId}"]`).waitFor({ timeout: 60_000 })
  await page.locator('[data-testid="slice-view"]').waitFor({ timeout: 30_000 })
  await page.locator('[data-testid="inspect-loading"]').waitFor({ state: 'detached', timeout: 60_000 })
  const view = page.locator('[data-testid="slice-view"]')
  await expect.poll(async () => Number(await view.getAttribute('data-frames')), { timeout: 30_000 }).toBeGreaterThan(0)
  await settle(page)
}

// In-page code is written as strings: this file is type-checked for Node, which has no DOM. (page.evaluate, not
// waitForFunction: the page's CSP forbids the eval that waitForFunction's polling of a string uses.)

/** Two animation frames: whatever was scheduled has been drawn. */
async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))')
}

/** The slice along the slice axis with the most foreground (or the most of one label). */
function fullestSlice(layer: LayerVoxels, label?: number): number {
  const [nx, ny, nz] = layer.dims
  const counts = new Array<number>(layer.dims[layer.sliceAxis]).fill(0)
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, p++) if (label === undefined ? layer.voxels[p] !== 0 : layer.voxels[p] === label) counts[[i, j, k][layer.sliceAxis] as number]! += 1
  return counts.indexOf(Math.max(...counts))
}

/** Scrolls through `steps` slices, one wheel event a frame, and returns the frames drawn per second. */
async function scrollFrameRate(page: Page, steps: number): Promise<{ fps: number; frames: number; ms: number; meanDrawCallMs: number; longestStepMs: number }> {
  // Each step: one wheel notch, then wait for the next animation frame (the view draws in its frame callback,
  // registered before ours), so this counts frames actually drawn against wall time.
  return page.evaluate(`(async (n) => {
    const view = document.querySelector('[data-testid="slice-view"]')
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()))
    await frame()
    const before = Number(view.dataset.frames)
    const started = performance.now()
    let drawCallMs = 0
    let longestStepMs = 0
    for (let i = 0; i < n; i++) {
      const stepStarted = performance.now()
      view.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 80 < 40 ? 100 : -100, bubbles: true, cancelable: true }))
      await frame()
      longestStepMs = Math.max(longestStepMs, performance.now() - stepStarted)
      drawCallMs += Number(view.dataset.renderMs)
    }
    const ms = performance.now() - started
    const frames = Number(view.dataset.frames) - before
    return { fps: (frames * 1000) / ms, frames, ms, meanDrawCallMs: drawCallMs / n, longestStepMs }
  })(${steps})`)
}

describe.skipIf(!chromium.available)('the interpolation inspector in browser mode (sample data)', () => {
  let session: Awaited<ReturnType<typeof openBrowserSession>>
  let server: ServeHandle
  let page: Page
  let run: InterpolationRun
  let plan: Plan

  beforeAll(async () => {
    session = await openBrowserSession('wb-e2e-inspect-store-')
    server = session.server
    page = session.page
  })
  afterAll(async () => {
    await session?.close()
  })

  it('interpolates a plan from the inspector and opens its first volume', async () => {
    plan = await apiCall<Plan>(server, 'plans:create', { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed', seed: 0 })
    await openInspector(page, server.url, 'sample')
    await page.locator('[data-testid="inspect-pick-run"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="inspect-plan"]').selectOption(String(plan.planId))
    await page.locator('[data-testid="inspect-method"]').selectOption('propagate')
    await page.locator('[data-testid="inspect-interpolate"]').click()
    const view = page.locator('[data-testid="inspector-view"][data-run-id]')
    await view.waitFor({ timeout: 120_000 })
    const runId = Number(await view.getAttribute('data-run-id'))
    run = await apiCall<InterpolationRun>(server, 'interpolation:get', { runId })
    expect(run.planId).toBe(plan.planId)
    expect(run.method).toBe('propagate')
    // The progress events reached the page: the last one counted every volume of the plan.
    expect(await page.locator('[data-testid="inspect-interpolate"]').getAttribute('data-last-progress')).toBe(`${plan.items.length}/${plan.items.length}`)
    await waitForVolume(page, run.volumes[0]!.volumeId)
  })

  it('draws one IoU bar per slice, with the annotated slices marked', async () => {
    const volume = run.volumes[0]!
    const chart = page.locator('[data-testid="iou-chart"]')
    expect(await chart.locator('[data-testid="iou-bar"]').count()).toBe(volume.slices.length)
    expect(volume.slices.length).toBe(plan.items.find((i) => i.volumeId === volume.volumeId)?.sliceCount)
    expect(await chart.locator('[data-testid="annotated-mark"]').count()).toBe(volume.annotated.length)
    const sources = await chart.locator('[data-testid="iou-bar"]').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-source')))
    expect(sources).toEqual(volume.slices.map((s) => s.source))
  })

  it('scrolls to a slice with keys and wheel and draws both overlays there', async () => {
    const volume = run.volumes[0]!
    const human = await apiCall<LayerVoxels>(server, 'inspect:layer', { runId: run.runId, volumeId: volume.volumeId, layer: 'human' })
    expect(human.voxels.length).toBe(human.dims[0] * human.dims[1] * human.dims[2])
    const target = fullestSlice(human)
    const sliceView = page.locator('[data-testid="slice-view"]')
    const start = Number(await sliceView.getAttribute('data-slice'))
    await sliceView.focus()
    // Overshoot by two with the keys, come back with two wheel notches.
    const key = target + 2 >= start ? 'ArrowUp' : 'ArrowDown'
    const presses = Math.min(volume.slices.length - 1, target + 2) - start
    for (let i = 0; i < Math.abs(presses); i++) await page.keyboard.press(key)
    const box = (await sliceView.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const reached = Number(await sliceView.getAttribute('data-slice'))
    for (let i = 0; i < reached - target; i++) await page.mouse.wheel(0, -100)
    await expect.poll(() => sliceView.getAttribute('data-slice')).toBe(String(target))
    // Counted from 1 like the facts panel's "of N slices": the last slice is "Slice N of N", never "N − 1 / N − 1".
    expect(await page.locator('[data-testid="slice-label"]').textContent()).toContain(`Slice ${target + 1} of ${volume.slices.length}`)
    expect(await page.locator('[data-testid="inspect-facts"]').textContent()).toContain(`of ${volume.slices.length} slices`)
    expect(await page.locator('[data-testid="slice-slider"]').getAttribute('aria-valuetext')).toBe(`Slice ${target + 1} of ${volume.slices.length}`)
    const bar = page.locator(`[data-testid="iou-bar"][data-slice="${target}"] title`)
    expect(await bar.textContent()).toMatch(new RegExp(`^slice ${target + 1}, index ${target} \\(from 0`))
    await settle(page)

    const both = await shot(sliceView)
    const green = countPixels(both, greenish)
    const magenta = countPixels(both, magentaish)
    expect(green).toBeGreaterThan(50)
    expect(magenta).toBeGreaterThan(20)
    await page.screenshot({ path: screenshotPath('inspector-slice-view') })

    // Hiding the human overlay removes its colour; the interpolated contour stays.
    await page.locator('[data-testid="overlay-human-visible"]').uncheck()
    await settle(page)
    const without = await shot(sliceView)
    expect(countPixels(without, greenish)).toBeLessThan(green / 10)
    expect(countPixels(without, magentaish)).toBeGreaterThan(20)
    await page.locator('[data-testid="overlay-human-visible"]').check()
  })

  it('zooms around the cursor, pans, resets with R and the button, and keeps window/level dragging', async () => {
    const sliceView = page.locator('[data-testid="slice-view"]')
    const box = (await sliceView.boundingBox())!
    await settle(page)
    const before = await shot(sliceView)
    const slice = await sliceView.getAttribute('data-slice')
    // Ctrl+wheel zooms (and does not change the slice).
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4)
    await page.keyboard.down('Control')
    await page.mouse.wheel(0, -300)
    await page.keyboard.up('Control')
    await expect.poll(async () => Number(await sliceView.getAttribute('data-zoom'))).toBeGreaterThan(1.5)
    expect(await sliceView.getAttribute('data-slice')).toBe(slice)
    await settle(page)
    const zoomed = await shot(sliceView)
    expect(differing(before, zoomed)).toBeGreaterThan(before.width * before.height * 0.05)
    await page.screenshot({ path: screenshotPath('inspector-slice-zoomed') })
    // Shift+drag pans.
    await page.keyboard.down('Shift')
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.6 + 80, box.y + box.height * 0.4 + 40, { steps: 4 })
    await page.mouse.up()
    await page.keyboard.up('Shift')
    await settle(page)
    const panned = await shot(sliceView)
    expect(differing(zoomed, panned)).toBeGreaterThan(before.width * before.height * 0.02)
    // R restores the whole slice, as it was.
    await sliceView.focus()
    await page.keyboard.press('r')
    await expect.poll(() => sliceView.getAttribute('data-zoom')).toBe('1.000')
    await settle(page)
    expect(differing(before, await shot(sliceView))).toBeLessThan(before.width * before.height * 0.002)
    // Right-drag upwards zooms in too; the button resets.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down({ button: 'right' })
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 100, { steps: 4 })
    await page.mouse.up({ button: 'right' })
    await expect.poll(async () => Number(await sliceView.getAttribute('data-zoom'))).toBeGreaterThan(1.5)
    await page.locator('[data-testid="slice-reset-view"]').click()
    await expect.poll(() => sliceView.getAttribute('data-zoom')).toBe('1.000')
    // A plain left-drag still sets window and level.
    const width = page.locator('[data-testid="window-width"]')
    const widthBefore = await width.inputValue()
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 3 })
    await page.mouse.up()
    await expect.poll(() => width.inputValue()).not.toBe(widthBefore)
    expect(await sliceView.getAttribute('data-zoom')).toBe('1.000')
  })

  it('names the labels in a legend, each with its own colour, and draws label 2 in its own colour', async () => {
    const rows = page.locator('[data-testid="legend-label"]')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.locator('[data-testid="legend-name"]').allTextContents()).toEqual(['1 · Anterior', '2 · Posterior'])
    const colours = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-human-colour'), e.getAttribute('data-interpolated-colour')]))
    expect(new Set(colours.flat()).size).toBe(4)
    // On the slice with the most label 2 of the human mask, its colour shows.
    const volume = run.volumes[0]!
    const human = await apiCall<LayerVoxels>(server, 'inspect:layer', { runId: run.runId, volumeId: volume.volumeId, layer: 'human' })
    const target = fullestSlice(human, 2)
    await page.locator(`[data-testid="iou-bar"][data-slice="${target}"]`).click()
    const sliceView = page.locator('[data-testid="slice-view"]')
    await expect.poll(() => sliceView.getAttribute('data-slice')).toBe(String(target))
    await settle(page)
    expect(countPixels(await shot(sliceView), blueish)).toBeGreaterThan(20)
    await page.locator('[data-testid="label-legend"]').screenshot({ path: screenshotPath('inspector-legend') })
  })

  it('jumps to the slice of a clicked bar and of a clicked worst slice', async () => {
    const volume = run.volumes[0]!
    const sliceView = page.locator('[data-testid="slice-view"]')
    const current = Number(await sliceView.getAttribute('data-slice'))
    const other = current === 1 ? 2 : 1
    await page.locator(`[data-testid="iou-bar"][data-slice="${other}"]`).click()
    await expect.poll(() => sliceView.getAttribute('data-slice')).toBe(String(other))
    expect(await page.locator('[data-testid="slice-slider"]').inputValue()).toBe(String(other))

    const worst = page.locator('[data-testid="worst-slice"]')
    const expected = volume.slices.filter((s) => s.source !== 'annotated').sort((a, b) => a.iou - b.iou || a.index - b.index)[0]!
    expect(Number(await worst.first().getAttribute('data-slice'))).toBe(expected.index)
    // The table shows the slice as people count it, and the stored index on hover.
    expect(await worst.first().locator('td').first().textContent()).toBe(String(expected.index + 1))
    expect(await worst.first().locator('td').first().getAttribute('title')).toBe(`index ${expected.index} (from 0, as in plans and exports)`)
    await worst.first().click()
    await expect.poll(() => sliceView.getAttribute('data-slice')).toBe(String(expected.index))
  })

  it('changes window and level from the inputs', async () => {
    const width = page.locator('[data-testid="window-width"]')
    const before = Number(await width.inputValue())
    await width.fill(String(before / 2))
    await width.press('Enter')
    // The inputs show five significant digits.
    await expect.poll(async () => Math.abs(Number(await width.inputValue()) / (before / 2) - 1)).toBeLessThan(1e-3)
    expect(await page.locator('[data-testid="slice-view"]').locator('xpath=..').textContent()).toContain(`W ${Number(await width.inputValue()).toPrecision(4)}`)
  })

  it('opens the 3D view and draws the two surfaces', async () => {
    await page.locator('[data-testid="inspect-show-3d"]').check()
    const surface = page.locator('[data-testid="surface-view"]')
    await page.locator('[data-testid="surface-view"][data-status="full"]').waitFor({ timeout: 60_000 })
    // Made in the surface workers, not on the page.
    expect(await surface.getAttribute('data-mesher')).toBe('worker')
    await settle(page)
    const pixels = await shot(surface)
    // Not blank: plenty of pixels far from the dark background, and the interpolated surface's magenta among them.
    const drawn = countPixels(pixels, (r, g, b) => Math.abs(r - 15) + Math.abs(g - 17) + Math.abs(b - 20) > 60)
    expect(drawn).toBeGreaterThan(pixels.width * pixels.height * 0.01)
    expect(countPixels(pixels, magentaish)).toBeGreaterThan(50)
    await page.screenshot({ path: screenshotPath('inspector-3d-overlaid') })

    await page.locator('[data-testid="inspect-3d-layout"]').selectOption('side-by-side')
    await settle(page)
    const sides = await shot(surface)
    // Side by side the human surface is opaque: clearly green, and the magenta one still there.
    expect(countPixels(sides, greenish)).toBeGreaterThan(50)
    expect(countPixels(sides, magentaish)).toBeGreaterThan(50)
    await page.screenshot({ path: screenshotPath('inspector-3d-side-by-side') })
    // Nothing is cut at the divide: the columns either side of the middle hold only the two backgrounds (before the
    // camera fitted each half's width, the surfaces ran across it).
    const divide = Math.round(sides.width / 2)
    const columns = cropColumns(sides, divide - 3, divide + 3)
    // Below the caption that spans the divide at the top.
    const captionRows = 40
    const atDivide = { width: columns.width, height: columns.height - captionRows, rgba: columns.rgba.subarray(captionRows * columns.width * 4) }
    expect(countPixels(atDivide, (r, g, b) => Math.min(Math.abs(r - 15) + Math.abs(g - 17) + Math.abs(b - 20), Math.abs(r - 18) + Math.abs(g - 18) + Math.abs(b - 23)) > 60)).toBe(0)
  })

  it('loaded everything without script errors', () => {
    expect(session.problems).toEqual([])
  })
})

/** A 256³ case: an int16 image with a bright ellipsoid on a ramp, and the ellipsoid as label 1. */
function writeCase(folder: string, name: string, offset: number): void {
  const n = 256
  const image = new Int16Array(n * n * n)
  const label = new Uint8Array(n * n * n)
  for (let k = 0, p = 0; k < n; k++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++, p++) {
        // Radius varies with height so consecutive slices differ and nearest-slice copies are imperfect.
        const r = 70 + 12 * Math.sin(k / 9 + offset)
        const inside = ((i - 128) / 1.1) ** 2 + (j - 128 - offset) ** 2 + ((k - 128) * 1.2) ** 2 < r * r
        image[p] = (inside ? 900 : 200) + ((i * 7 + j * 3 + k) % 50)
        label[p] = inside ? 1 : 0
      }
  writeNiftiFile(join(folder, 'images', `${name}.nii.gz`), volumeFromData([n, n, n], image))
  writeNiftiFile(join(folder, 'labels', `${name}.nii.gz`), volumeFromData([n, n, n], label))
}

describe.skipIf(!chromium.available)('the inspector on a 256³ volume: measured speed', () => {
  let store: ReturnType<typeof makeTempDir>
  let server: ServeHandle
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    await ensureRendererBuilt()
    store = makeTempDir('wb-e2e-inspect256-')
    const data = join(store.path, 'data')
    mkdirSync(join(data, 'images'), { recursive: true })
    mkdirSync(join(data, 'labels'), { recursive: true })
    writeCase(data, 'big_000', 0)
    writeCase(data, 'big_001', 3)
    const cli = [join(repoRoot, 'src', 'main', 'cli', 'bin.mjs'), 'import', data, '--name', 'big', '--split', '0.98,0.01,0.01', '--db', join(store.path, 'w.db'), '--workspace', join(store.path, 'ws')]
    const imported = spawnSync(process.execPath, cli, { cwd: repoRoot, encoding: 'utf8' })
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`)
    server = await startServe(store.path)
    browser = await launchChromium()
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`)
    })
  }, 300_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    store?.remove()
  })

  it('reports the scrolling frame rate with two overlays and the time to the first 3D surface', async () => {
    const plan = await apiCall<Plan>(server, 'plans:create', { dataset: 'big', density: 0.1, volumeFraction: 1, method: 'fixed', seed: 0 })
    const run = await apiCall<InterpolationRun>(server, 'interpolation:run', { planId: plan.planId, method: 'nearest' })
    expect(run.volumes).toHaveLength(2)
    await openInspector(page, server.url, 'big')
    await waitForVolume(page, run.volumes[0]!.volumeId)
    const sliceView = page.locator('[data-testid="slice-view"]')
    const size = await sliceView.boundingBox().then((b) => [Math.round(b?.width ?? 0), Math.round(b?.height ?? 0)])
    const scroll = await scrollFrameRate(page, 120)
    await page.screenshot({ path: screenshotPath('inspector-256-slice-view') })
    // The same with both overlays filled: the contour mode's outline shader samples 25 neighbours a pixel.
    await page.locator('[data-testid="overlay-interpolated-mode"]').selectOption('filled')
    const scrollFilled = await scrollFrameRate(page, 120)
    await page.locator('[data-testid="overlay-interpolated-mode"]').selectOption('contour')

    // Open the 3D view, then choose the other volume: its masks are fetched, surfaced and drawn.
    await page.locator('[data-testid="inspect-show-3d"]').check()
    await page.locator('[data-testid="surface-view"][data-status="full"]').waitFor({ timeout: 120_000 })
    await page.locator('[data-testid="inspect-volume"]').selectOption(String(run.volumes[1]!.volumeId))
    const surface = page.locator('[data-testid="surface-view"]')
    await expect
      .poll(async () => (await surface.getAttribute('data-status')) !== 'waiting' && (await surface.getAttribute('data-first-surface-ms')) !== null, {
        timeout: 120_000,
        interval: 20,
      })
      .toBe(true)
    const firstSurfaceMs = Number(await surface.getAttribute('data-first-surface-ms'))
    const firstStep = await surface.getAttribute('data-first-step')
    const marchingMs = Number(await surface.getAttribute('data-first-marching-ms'))
    await page.locator('[data-testid="surface-view"][data-status="full"]').waitFor({ timeout: 120_000 })
    const fullMarchingMs = Number(await surface.getAttribute('data-marching-ms'))
    await settle(page)
    await page.screenshot({ path: screenshotPath('inspector-256-3d') })

    // Back to the first volume (its voxels cached): the slice view scrolls while the workers make its surfaces.
    await page.locator('[data-testid="inspect-volume"]').selectOption(String(run.volumes[0]!.volumeId))
    await page.locator('[data-testid="surface-view"][data-status="waiting"]').waitFor({ timeout: 30_000 })
    const scrollMeshing = await scrollFrameRate(page, 40)
    const meshingStillRunning = (await surface.getAttribute('data-status')) !== 'full'
    await page.locator('[data-testid="surface-view"][data-status="full"]').waitFor({ timeout: 120_000 })
    // The same with the surfaces done, for comparison (the 3D view shares the screen and the CPU draws WebGL here).
    const scrollAfterMeshing = await scrollFrameRate(page, 40)

    const report = {
      sliceViewPixels: size,
      slice: '256×256, image + human (filled) + interpolated (contour)',
      scrollFps: Number(scroll.fps.toFixed(1)),
      scrollFrames: scroll.frames,
      scrollMs: Math.round(scroll.ms),
      scrollMeanDrawCallMs: Number(scroll.meanDrawCallMs.toFixed(1)),
      scrollFpsBothFilled: Number(scrollFilled.fps.toFixed(1)),
      scrollMeanDrawCallMsBothFilled: Number(scrollFilled.meanDrawCallMs.toFixed(1)),
      firstSurfaceMs,
      firstSurfaceResolution: firstStep === '2' ? 'half' : 'full',
      marchingCubesMsFirst: marchingMs,
      marchingCubesMsFull: fullMarchingMs,
      surfacesMadeIn: await surface.getAttribute('data-mesher'),
      scrollLongestStepMs: Math.round(scroll.longestStepMs),
      scrollFpsWhileMeshing: Number(scrollMeshing.fps.toFixed(1)),
      scrollLongestStepMsWhileMeshing: Math.round(scrollMeshing.longestStepMs),
      meshingStillRunningAfterScroll: meshingStillRunning,
      scrollFpsWith3dDone: Number(scrollAfterMeshing.fps.toFixed(1)),
      scrollLongestStepMsWith3dDone: Math.round(scrollAfterMeshing.longestStepMs),
    }
    console.log(`inspector 256³ measurements: ${JSON.stringify(report)}`)
    mkdirSync(screenshotDir, { recursive: true })
    writeFileSync(join(screenshotDir, 'inspector-256-measurements.json'), JSON.stringify(report, null, 2))
    expect(scroll.frames).toBeGreaterThan(0)
    expect(firstSurfaceMs).toBeGreaterThan(0)
    expect(report.surfacesMadeIn).toBe('worker')
    expect(problems).toEqual([])
  })

  it("shows an interpolation's progress and cancels it, leaving no run to inspect and no masks", async () => {
    const plan = await apiCall<Plan>(server, 'plans:create', { dataset: 'big', density: 0.1, volumeFraction: 1, method: 'fixed', seed: 0 })
    const runsBefore = await apiCall<InspectRunSummary[]>(server, 'inspect:runs', { dataset: 'big' })
    const problemsBefore = problems.length
    await page.locator('[data-testid="inspect-plan"]').selectOption(String(plan.planId))
    // Propagation over two 256³ volumes takes seconds: long enough to see it running and cancel it.
    await page.locator('[data-testid="inspect-method"]').selectOption('propagate')
    await page.locator('[data-testid="inspect-interpolate"]').click()
    const progress = page.locator('[data-testid="inspect-interpolate-progress"]')
    await page.locator('[data-testid="inspect-interpolate-progress"][data-total="2"]').waitFor({ timeout: 30_000 })
    expect(await progress.textContent()).toMatch(/[01] of 2 volumes/)
    await page.screenshot({ path: screenshotPath('inspector-interpolation-progress') })
    await page.locator('[data-testid="inspect-interpolate-cancel"]').click()
    await page.locator('[data-testid="inspect-interpolate-cancelled"]').waitFor({ timeout: 60_000 })
    await progress.waitFor({ state: 'detached' })
    expect(await page.locator('[data-testid="inspect-run-error"]').count()).toBe(0)
    const cancelled = (await apiCall<RunRecord[]>(server, 'runs:list', { kind: 'interpolation' })).filter((r) => r.status === 'cancelled')
    expect(cancelled).toHaveLength(1)
    expect(existsSync(join(store.path, 'ws', 'interpolations', String(cancelled[0]!.id)))).toBe(false)
    expect(await apiCall<InspectRunSummary[]>(server, 'inspect:runs', { dataset: 'big' })).toEqual(runsBefore)
    // The cancelled call answers 422 with the plain-words reason, which Chromium logs as a failed resource.
    expect(problems.slice(problemsBefore)).toEqual(['console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)'])
    expect(problems.slice(0, problemsBefore)).toEqual([])
  })
})
