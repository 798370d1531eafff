// Training and the experiment history end to end in browser mode: the real `workbench serve`, Debian Chromium.
// A tiny run launched from the Train view reports live progress over the WebSocket and shows its test metrics;
// a second run is cancelled; the History view lists both, filters them, compares them and exports the list.
import { readFileSync } from 'node:fs'
import type { Page, WebSocket as PageSocket } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { RunRecord } from '../src/shared/run'
import type { BackendProbe } from '../src/shared/training'
import { apiCall, chromiumStatus, openBrowserSession, screenshotPath, type ServeHandle } from './support'

const chromium = chromiumStatus()
if (!chromium.available) console.warn(`skipping the browser tests: ${chromium.message}`)

/** Opens a socket from Node; resolves 'open' or the refusing HTTP status. */
function trySocket(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.close()
      done('open')
    })
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate()
      done(res.statusCode ?? 0)
    })
    ws.once('error', fail)
  })
}

/** A training event as the page's socket received it. */
interface SeenFrame {
  at: number
  runId: number
  phase: string
  step: number
}

async function fillTrainForm(page: Page, values: Record<string, string>): Promise<void> {
  for (const [field, value] of Object.entries(values)) await page.locator(`[data-testid="train-${field}"]`).fill(value)
}

describe.skipIf(!chromium.available)('training and the history in browser mode (sample data)', () => {
  let session: Awaited<ReturnType<typeof openBrowserSession>>
  let server: ServeHandle
  let page: Page
  const sockets: string[] = []
  const frames: SeenFrame[] = []
  let doneRunId = 0
  let cancelledRunId = 0

  beforeAll(async () => {
    // The cancelled run's train:start answers 422 ("run N: was cancelled"), which Chromium logs as an error.
    session = await openBrowserSession('wb-e2e-train-store-', /status of 422/)
    server = session.server
    page = session.page
    page.on('websocket', (ws: PageSocket) => {
      sockets.push(ws.url())
      ws.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { event: string; payload: { runId: number; phase: string; step: number } }
        if (message.event === 'training') frames.push({ at: Date.now(), ...message.payload })
      })
    })
  })
  afterAll(async () => {
    await session?.close()
  })

  it('trains a tiny model from the Train view with live progress over the WebSocket, then shows its test metrics', async () => {
    await page.goto(server.url)
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="tab-train"]').click()
    await page.locator('[data-testid="plan-dataset"]').selectOption('sample')
    await page.locator('[data-testid="train-view"]').waitFor()
    // The defaults come from the shared schema.
    expect(await page.locator('[data-testid="train-steps"]').inputValue()).toBe('1000')
    expect(await page.locator('[data-testid="train-model"]').inputValue()).toBe('unet2d')
    // Every kind is offered with its parameter count; a kind shows only the options it takes.
    const modelSelect = page.locator('[data-testid="train-model"]')
    expect(await modelSelect.locator('option').allTextContents()).toContain('unet2d — U-Net, 2D, 482 k parameters')
    expect(await modelSelect.locator('option').count()).toBe(8)
    await modelSelect.selectOption('segresnet3d')
    await page.locator('[data-testid="train-blocks-down"]').waitFor()
    expect(await page.locator('[data-testid="train-depth"]').count()).toBe(0)
    await page.locator('[data-testid="train-base"]').fill('8')
    expect(await modelSelect.getAttribute('data-parameters')).toBe('1176186')
    await page.locator('[data-testid="train-base"]').fill('16')
    await modelSelect.selectOption('unet2d')
    await page.locator('[data-testid="train-depth"]').waitFor()
    // Flips start off, and the form says why next to the toggle.
    expect(await page.locator('[data-testid="train-flip"]').isChecked()).toBe(false)
    expect(await page.locator('[data-testid="train-flip-why"]').textContent()).toMatch(/hippocampus data a flip swaps the anterior and posterior labels/)
    await expect.poll(() => page.locator('[data-testid="train-link"]').count(), { timeout: 15_000 }).toBe(0)

    // Compute: Automatic (the ladder) first, then each backend; the line says what Automatic trains on here.
    const backendSelect = page.locator('[data-testid="train-backend"]')
    expect(await backendSelect.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('data-value')))).toEqual(['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'])
    expect(await backendSelect.locator('option:checked').getAttribute('data-value')).toBe('auto')
    const probe = await apiCall<BackendProbe>(server, 'training:backends', {})
    const computeLine = page.locator('[data-testid="train-compute-line"][data-chosen]')
    await computeLine.waitFor({ timeout: 30_000 })
    expect(await computeLine.getAttribute('data-chosen')).toBe(probe.chosen)
    // This machine has no hardware GPU (at most Mesa's llvmpipe), so the ladder ends on wasm.
    expect(probe.chosen).toBe('wasm')
    expect(await computeLine.textContent()).toMatch(/^No (hardware )?GPU adapter found — .+; training runs on wasm \(CPU\)$/)
    const softwareAdapter = probe.rungs.find((r) => r.name === 'webgpu')?.adapter?.software === true
    expect(await page.locator('[data-testid="train-compute-note"]').count()).toBe(softwareAdapter ? 1 : 0)
    const rungs = page.locator('[data-testid="train-compute-rungs"]')
    await rungs.locator('summary').click()
    expect(await rungs.locator('li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-rung')))).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu'])
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.screenshot({ path: screenshotPath('train-compute') })
    await page.setViewportSize({ width: 1280, height: 800 })
    await fillTrainForm(page, { depth: '1', base: '4', batch: '2', steps: '5', seed: '1' })

    let answeredAt = 0
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/train:start')).then((r) => {
      answeredAt = Date.now()
      return r
    })
    await page.locator('[data-testid="train-start"]').click()
    expect((await answered).status()).toBe(200)
    await page.locator('[data-testid="train-metrics"]').waitFor({ timeout: 120_000 })
    doneRunId = Number(await page.locator('[data-testid="train-metrics"]').getAttribute('data-run-id'))
    expect(((await apiCall<RunRecord>(server, 'runs:get', { runId: doneRunId })).config.augment as { flip: boolean }).flip).toBe(false)

    expect(sockets.some((url) => new URL(url).pathname === '/api/events')).toBe(true)
    const mine = frames.filter((f) => f.runId === doneRunId)
    expect(mine[0]).toMatchObject({ phase: 'loading', step: 0 })
    expect(mine.map((f) => f.phase)).toContain('training')
    // Live: progress arrived before train:start answered, and the last training step got through the throttle.
    expect(mine.filter((f) => f.at <= answeredAt).length).toBeGreaterThanOrEqual(2)
    expect(mine.some((f) => f.phase === 'training' && f.step === 5)).toBe(true)
    expect(Number(await page.locator('[data-testid="train-run"]').getAttribute('data-events'))).toBeGreaterThanOrEqual(2)

    // Foreground plus the sample's two labels, each with a Dice in [0, 1].
    const rows = page.locator('[data-testid="train-class-row"]')
    expect(await rows.count()).toBe(3)
    // What it trained on (Automatic, so wasm here, with its threads) and why not on a faster backend.
    expect(await page.locator('[data-testid="train-ran-on"]').textContent()).toMatch(/^\s*5 steps on wasm \(\d+ threads?\), \d+ ms\/step/)
    expect(await page.locator('[data-testid="train-software-adapter"]').count()).toBe(0)
    const reasons = page.locator('[data-testid="train-backend-reasons"]')
    await reasons.locator('summary').click()
    expect((await reasons.locator('li').allTextContents()).join('\n')).toMatch(/tensorflow[\s\S]*webgpu/)
    const dice = Number(await page.locator('[data-testid="train-mean-dice"]').textContent())
    expect(dice).toBeGreaterThanOrEqual(0)
    expect(dice).toBeLessThanOrEqual(1)
    // The curve has a point for each training event seen live (the stored curve would have one: a mean of 10 steps).
    const trainingFrames = new Set(mine.filter((f) => f.phase === 'training').map((f) => f.step)).size
    expect(Number(await page.locator('[data-testid="loss-curve"]').getAttribute('data-points'))).toBe(Math.max(1, trainingFrames))
    await page.screenshot({ path: screenshotPath('train-finished') })
  })

  it('cancels a running run and says so', async () => {
    await fillTrainForm(page, { steps: '100000', seed: '2' })
    // This run forces wasm: the line says so, and the config carries it.
    await page.locator('[data-testid="train-backend"]').selectOption({ label: 'wasm — CPU, WebAssembly' })
    expect(await page.locator('[data-testid="train-compute-line"]').textContent()).toMatch(/^Training runs on wasm — /)
    await page.locator('[data-testid="train-start"]').click()
    const progress = page.locator('[data-testid="train-progress"][data-phase="training"]')
    await progress.waitFor({ timeout: 60_000 })
    cancelledRunId = Number(await progress.getAttribute('data-run-id'))
    expect(cancelledRunId).toBeGreaterThan(doneRunId)
    // Wait for a second training event, so the bar and the curve have moved live.
    await expect.poll(() => frames.filter((f) => f.runId === cancelledRunId && f.phase === 'training').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2)
    expect(await page.locator('[data-testid="train-progress-text"]').textContent()).toMatch(/step \d+ \/ 100000 · loss [\d.]+ · [\d.]+ steps\/s · ETA/)
    await page.screenshot({ path: screenshotPath('train-running') })
    await page.locator('[data-testid="train-cancel"]').click()
    await page.locator(`[data-testid="train-cancelled"][data-run-id="${cancelledRunId}"]`).waitFor({ timeout: 60_000 })
    const cancelled = await apiCall<RunRecord>(server, 'runs:get', { runId: cancelledRunId })
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.config.backend).toBe('wasm')
    expect((await apiCall<RunRecord>(server, 'runs:get', { runId: doneRunId })).config.backend).toBeUndefined()
    await page.screenshot({ path: screenshotPath('train-cancelled') })
  })

  it('keeps the Train form through a tab switch, and starts from the last started form after a reload', async () => {
    const flip = page.locator('[data-testid="train-flip"]')
    // The cancelled run was started with 100000 steps, seed 2 on wasm, flips off; now turn flips on, unstarted.
    await flip.check()
    await page.locator('[data-testid="tab-datasets"]').click()
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor()
    await page.locator('[data-testid="tab-train"]').click()
    await page.locator('[data-testid="train-view"]').waitFor()
    expect(await flip.isChecked()).toBe(true)
    expect(await page.locator('[data-testid="train-steps"]').inputValue()).toBe('100000')
    expect(await page.locator('[data-testid="train-backend"] option:checked').getAttribute('data-value')).toBe('wasm')

    await page.reload()
    await page.locator('[data-testid="dataset-row"][data-name="sample"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="tab-train"]').click()
    await page.locator('[data-testid="plan-dataset"]').selectOption('sample')
    await page.locator('[data-testid="train-view"]').waitFor()
    // The form the last run was started from: its steps, seed, backend and flips off (the unstarted change is gone).
    expect(await page.locator('[data-testid="train-steps"]').inputValue()).toBe('100000')
    expect(await page.locator('[data-testid="train-seed"]').inputValue()).toBe('2')
    expect(await page.locator('[data-testid="train-depth"]').inputValue()).toBe('1')
    expect(await page.locator('[data-testid="train-backend"] option:checked').getAttribute('data-value')).toBe('wasm')
    expect(await flip.isChecked()).toBe(false)
  })

  it('lists both runs in the History view, filters them, compares them and exports the list', async () => {
    await page.locator('[data-testid="tab-history"]').click()
    await page.locator('[data-testid="history-view"]').waitFor()
    const row = (id: number) => page.locator(`[data-testid="history-row"][data-run-id="${id}"]`)
    await row(doneRunId).waitFor({ timeout: 30_000 })
    expect(await row(doneRunId).getAttribute('data-status')).toBe('done')
    expect(await row(cancelledRunId).getAttribute('data-status')).toBe('cancelled')
    expect(await row(doneRunId).locator('[data-testid="history-backend"]').textContent()).toBe('wasm')
    expect(await row(cancelledRunId).locator('[data-testid="history-backend"]').textContent()).toBe('')
    expect(await row(doneRunId).locator('td.summary').textContent()).toMatch(/^unet2d dense, 5 steps; test Dice \d\.\d{3} \(wasm, \d+ ms\/step\)$/)

    await page.locator('[data-testid="history-status"]').selectOption('cancelled')
    expect(await page.locator('[data-testid="history-row"]').count()).toBe(1)
    await page.locator('[data-testid="history-status"]').selectOption('')
    await page.locator('[data-testid="history-search"]').fill('100000')
    expect(await page.locator('[data-testid="history-row"]').count()).toBe(1)
    await page.locator('[data-testid="history-search"]').fill('')

    await page.locator(`[data-testid="history-pick-${doneRunId}"]`).check()
    await page.locator(`[data-testid="history-pick-${cancelledRunId}"]`).check()
    const compare = page.locator('[data-testid="run-compare"]')
    await compare.waitFor()
    const configRow = (key: string) => compare.locator(`[data-testid="compare-config-row"][data-key="${key}"]`)
    expect(await configRow('steps').getAttribute('data-differs')).toBe('true')
    expect(await configRow('seed').locator('td').allTextContents()).toEqual(['seed', '1', '2'])
    expect(await configRow('backend').locator('td').allTextContents()).toEqual(['backend', '—', '"wasm"'])
    expect(await configRow('model.depth').count()).toBe(0) // same in both: hidden while "only differences" is on
    const status = compare.locator('[data-testid="compare-metric-row"][data-key="status"] td')
    expect(await status.allTextContents()).toEqual(['status', 'done', 'cancelled'])
    expect(await compare.locator('[data-testid="compare-metric-row"][data-key="test Dice (foreground)"]').count()).toBe(1)
    const metric = (key: string) => compare.locator(`[data-testid="compare-metric-row"][data-key="${key}"] td`)
    expect(await metric('adapter').allTextContents()).toEqual(['adapter', '—', '—'])
    expect((await metric('why not faster').allTextContents())[1]).toMatch(/tensorflow[\s\S]*webgpu/)
    await page.screenshot({ path: screenshotPath('history-compare') })

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="history-export-csv"]').click()])
    expect(csv.suggestedFilename()).toBe('workbench-runs.csv')
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n')
    expect(lines[0]).toBe('id,kind,status,dataset,seed,created,summary')
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(
      expect.arrayContaining([`${doneRunId},training,done`, `${cancelledRunId},training,cancelled`]),
    )
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="history-export-json"]').click()])
    const records = JSON.parse(readFileSync((await json.path())!, 'utf8')) as RunRecord[]
    expect(records.map((r) => r.id)).toEqual(expect.arrayContaining([doneRunId, cancelledRunId]))
  })

  it('refuses an event socket without the token', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/events`
    const origin = server.origin
    expect(await trySocket(url, { origin })).toBe(403)
    expect(await trySocket(`${url}?token=wrong-token-wrong-token`, { origin })).toBe(403)
    expect(await trySocket(`${url}?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403)
    expect(await trySocket(`${url}?token=${server.token}`, { origin })).toBe('open')
    expect(session.problems).toEqual([])
  })
})
