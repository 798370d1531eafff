// Sweeps and their results end to end in browser mode: the real `workbench serve`, Debian Chromium, the sample
// data. A tiny sweep (one sparse cell and its dense baseline, 3 training steps each) is created through the API,
// launched from the Sweeps view and followed live to the end; the Results view then shows its figures as SVG,
// with hover values, the sentences, and the report data exported.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { exampleGrid } from '../src/renderer/components/sweeps/sweep-view'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SweepStatus } from '../src/shared/sweep'
import { apiCall, chromiumStatus, openBrowserSession, screenshotPath, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

// The view's own example grid: one tiny cell and its dense baseline.
const tinySweep = exampleGrid

/**
 * A point on one of the Results view's lines, 80 % of the way along its last segment (on the line, clear of both
 * points, nearest the last one), with the line's own label (its first vertex) and the last vertex's label.
 */
function pointAlongALine(page: Page): Promise<{ x: number; y: number; first: string | null; last: string | null; figure: string | null } | undefined> {
  return page.locator('[data-testid="results-view"]').evaluate((root) => {
    for (const line of root.querySelectorAll('svg [aria-roledescription="line mark"]')) {
      const colour = line.getAttribute('stroke')
      const chart = line.closest('svg')!
      const vertices = [...chart.querySelectorAll('[aria-roledescription="point"]')].filter((p) => p.getAttribute('fill') === colour)
      if (vertices.length < 2) continue
      const centre = (e: (typeof vertices)[number]) => {
        const b = e.getBoundingClientRect()
        return { x: b.left + b.width / 2, y: b.top + b.height / 2 }
      }
      const [a, b] = [centre(vertices.at(-2)!), centre(vertices.at(-1)!)]
      if (Math.hypot(b.x - a.x, b.y - a.y) < 30) continue
      // Into view first (the pointer only reaches what is on screen), then measured again.
      vertices.at(-1)!.scrollIntoView({ block: 'center', inline: 'center' })
      const [from, to] = [centre(vertices.at(-2)!), centre(vertices.at(-1)!)]
      const figure = line.closest('[data-figure-id]')!.getAttribute('data-figure-id')
      return { x: from.x + 0.8 * (to.x - from.x), y: from.y + 0.8 * (to.y - from.y), first: line.getAttribute('aria-label'), last: vertices.at(-1)!.getAttribute('aria-label'), figure }
    }
    return undefined
  })
}

describe.skipIf(!chromium.available)('sweeps and results in browser mode (sample data)', () => {
  let session: Awaited<ReturnType<typeof openBrowserSession>>
  let server: ServeHandle
  let page: Page
  let sweepId = 0
  const sweepEvents: { finished: number; total: number }[] = []

  beforeAll(async () => {
    session = await openBrowserSession('wb-e2e-sweep-store-')
    server = session.server
    page = session.page
    page.on('websocket', (ws) => {
      ws.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { event: string; payload: { finished: number; counts: { total: number } } }
        if (message.event === 'sweep') sweepEvents.push({ finished: message.payload.finished, total: message.payload.counts.total })
      })
    })
  })
  afterAll(async () => {
    await session?.close()
  })

  it('runs a tiny sweep from the Sweeps view and follows it live to the end', async () => {
    await page.goto(server.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
    const created = await apiCall<{ sweepId: number; trials: number }>(server, 'sweeps:create', { dataset: 'sample', definition: tinySweep })
    sweepId = created.sweepId
    expect(created.trials).toBe(2) // the cell and its dense baseline

    await page.locator('[data-testid="tab-sweeps"]').click()
    await page.locator('[data-testid="sweeps-view"]').waitFor()
    await page.locator(`[data-testid="sweep-row"][data-sweep-id="${sweepId}"]`).click()
    const detail = page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"]`)
    await detail.locator('[data-testid="sweep-trials"]').waitFor()
    expect(await detail.locator('[data-testid="sweep-trial-row"][data-status="queued"]').count()).toBe(2)
    // The presets are offered for new sweeps.
    await page.locator('[data-testid="sweep-source-preset"]').check()
    expect(await page.locator('[data-testid="sweep-preset"] option').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^paper-2d-small \(\d+ trials\)$/)]),
    )

    await page.locator('[data-testid="sweep-run"]').click()
    await page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"][data-active="true"]`).waitFor({ timeout: 15_000 })
    await page.screenshot({ path: screenshotPath('sweeps-running') })
    await page.locator(`[data-testid="sweep-detail"][data-sweep-id="${sweepId}"][data-active="false"][data-done="2"]`).waitFor({ timeout: 240_000 })

    const rows = detail.locator('[data-testid="sweep-trial-row"]')
    expect(await rows.count()).toBe(2)
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['done', 'done'])
    for (const text of await rows.locator('td:nth-child(7)').allTextContents()) expect(text).toMatch(/^\d\.\d{3}$/) // IoU
    expect(await detail.locator('[data-testid="sweep-progress-text"]').textContent()).toBe('2 of 2 trials finished')
    // Progress came live over the socket, and the last event says every trial finished.
    expect(Number(await detail.getAttribute('data-events'))).toBeGreaterThanOrEqual(2)
    expect(sweepEvents.at(-1)).toEqual({ finished: 2, total: 2 })
    const stored = await apiCall<SweepStatus>(server, 'sweeps:status', { sweepId })
    expect(stored.trials.map((t) => t.status)).toEqual(['done', 'done'])
    await page.screenshot({ path: screenshotPath('sweeps-done') })
  })

  it('shows the figures of the sweep in the Results view, with hover values, and exports the report data', async () => {
    await page.locator(`[data-testid="sweep-results-${sweepId}"]`).click()
    const results = page.locator(`[data-testid="results-view"][data-sweep-id="${sweepId}"]`)
    await results.waitFor()
    const svg = results.locator('[data-testid="figure-svg"] svg')
    await svg.first().waitFor({ timeout: 60_000 })
    expect(await svg.count()).toBeGreaterThanOrEqual(1)
    const budget = results.locator('[data-testid="figure"][data-figure-id="fig2-budget"]')
    expect(await budget.locator('[data-testid="figure-sentence"]').textContent()).toMatch(/^Only one sparse cell is done, ρ = 0\.2, s = 0\.5 \(tiny2d, [\d.]+ % of the slices\): mean validation IoU \d\.\d{3} over n = 1 seed;/)
    // Fig. 1 has its dense baseline: the change against it is computed, and one seed cannot show a loss.
    expect(await results.locator('[data-figure-id="fig1-drop"] [data-testid="figure-sentence"]').textContent()).toMatch(/^Against dense training \(Wilcoxon signed-rank .*n = 1 per cell\), the one sparse cell: no difference detectable with n = 1/)
    // The paper's three findings: one sparse cell (no line of equal budget), one method, no interpolation — none measured.
    const findings = results.locator('[data-testid="results-findings"] p')
    expect(await findings.evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-testid'), p.getAttribute('data-verdict')]))).toEqual([
      ['finding-volumes', 'not measured'],
      ['finding-selection', 'not measured'],
      ['finding-interpolation', 'not measured'],
    ])
    expect(await findings.first().textContent()).toMatch(/^\s*At an equal budget, annotating fewer slices per volume in more volumes trains a better model\.\s*No two done cells of equal budget/)

    // Each point carries its values as a tooltip (<title>) and in the readout when the pointer is on it.
    const readout = budget.locator('[data-testid="figure-hover"]')
    const point = budget.locator('svg [aria-roledescription="point"][aria-label]').first()
    const pointLabel = (await point.getAttribute('aria-label'))!
    expect(pointLabel).toMatch(/budget.*: [\d.]+/)
    expect(await point.locator('title').textContent()).toBe(pointLabel)
    await point.hover({ force: true })
    await expect.poll(() => readout.textContent()).toBe(pointLabel)
    await page.mouse.move(0, 0)
    await expect.poll(() => readout.textContent()).toBe('Point at a mark to read its values.')
    await page.screenshot({ path: screenshotPath('results-figures'), fullPage: true })

    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="results-export-json"]').click()])
    expect(json.suggestedFilename()).toBe(`sweep-${sweepId}-report.json`)
    const exported = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { sweepId: number; figures: { id: string; sentence: string }[] }
    expect(exported.sweepId).toBe(sweepId)
    expect(exported.figures.map((f) => f.id)).toContain('fig2-budget')
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="results-export-csv"]').click()])
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n')
    expect(lines[0]?.startsWith('figure,')).toBe(true)
    expect(lines.some((l) => l.startsWith('fig2-budget,'))).toBe(true)
    // The whole report as one page that opens offline: the findings, the sentences and the charts inline.
    const [page1] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="results-export-html"]').click()])
    expect(page1.suggestedFilename()).toBe(`sweep-${sweepId}-report.html`)
    const html = readFileSync((await page1.path())!, 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain("<h2>The paper's findings on this data</h2>")
    expect(html).toContain(exported.figures.find((f) => f.id === 'fig2-budget')!.sentence.replace(/&/g, '&amp;'))
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(1)
    expect(html).not.toMatch(/<script|<link|<img|src=/)
    expect(session.problems).toEqual([])
  })

  it('reads a line in the hover readout as the vertex nearest the pointer, not its first vertex', async () => {
    // Two densities give lines through two points (the sweep above has one cell: single-point lines).
    const definition = { ...tinySweep, grid: { ...tinySweep.grid, densities: [0.1, 0.4] } }
    const created = await apiCall<{ sweepId: number; trials: number }>(server, 'sweeps:create', { dataset: 'sample', definition })
    await apiCall(server, 'sweeps:run', { sweepId: created.sweepId })
    await expect
      .poll(async () => (await apiCall<SweepStatus>(server, 'sweeps:status', { sweepId: created.sweepId })).trials.map((t) => t.status).join(), { timeout: 240_000, interval: 1_000 })
      .toBe(Array(created.trials).fill('done').join())
    await page.locator('[data-testid="reload"]').click()
    await page.locator('[data-testid="results-sweep"]').selectOption(String(created.sweepId))
    await page.locator(`[data-testid="results-view"][data-sweep-id="${created.sweepId}"] [data-testid="figure-svg"] svg`).first().waitFor({ timeout: 60_000 })

    const along = await pointAlongALine(page)
    expect(along, 'a line through two points apart').toBeDefined()
    expect(along!.last).not.toBe(along!.first)
    await page.mouse.move(along!.x, along!.y)
    const readout = page.locator(`[data-figure-id="${along!.figure}"] [data-testid="figure-hover"]`)
    await expect.poll(() => readout.textContent()).toBe(along!.last)
    // The native tooltip reads the same: a line carries no <title> of its first vertex.
    expect(await page.locator('svg [aria-roledescription="line mark"] > title').count()).toBe(0)
    expect(session.problems).toEqual([])
  })
})
