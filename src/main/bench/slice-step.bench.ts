// `npm run bench -- slice-step`: how long one wheel step through the inspector's slices takes in headless
// Chromium (Debian's, software WebGL), from the wheel event to the frame that shows the new slice. The real
// `workbench serve` on a fresh store with the bundled sample, an interpolation run of it, the Inspect tab with
// the image and both overlays (human filled, interpolated as a contour) and the 3D view off. Prints the median
// step (the issue-16 goal: ≤ 50 ms on an idle machine), the spread, how many draws a step cost and how many
// draws a burst of wheel events in one frame cost (one is the goal). The load average is printed beside it:
// on a busy machine the figure says more about the machine than about the view.
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import type { Plan } from '../../shared/plan'
import type { InterpolationRun } from '../../shared/interpolation'
import { apiCall, chromiumStatus, openBrowserSession } from '../../../e2e/support'
import { median } from './timing'

/** Steps measured (after 10 untimed ones); each goes one slice up or down, turning at the volume's ends. */
const steps = Number(process.env.SLICE_STEP_COUNT ?? 120)

/** One step's timing as measured in the page. */
export interface StepTiming {
  /** Wheel event to the start of the frame after the draw (the draw has reached the screen). */
  ms: number
  /** Draws the step caused (1 when each step is drawn once). */
  draws: number
  /** JavaScript time of the draw call itself. */
  drawCallMs: number
}

/**
 * Runs `count` wheel steps in the page's slice view and times each. In-page code is a string: this file is
 * type-checked for Node, which has no DOM.
 */
export async function timeSliceSteps(page: Page, count: number): Promise<StepTiming[]> {
  return page.evaluate(`(async (count) => {
    const view = document.querySelector('[data-testid="slice-view"]')
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()))
    const slices = Number(document.querySelector('[data-testid="slice-slider"]').max) + 1
    let direction = 1
    const out = []
    await frame()
    for (let i = 0; i < count; i++) {
      const slice = Number(view.dataset.slice)
      if (slice + direction < 0 || slice + direction >= slices) direction = -direction
      const before = Number(view.dataset.frames)
      const started = performance.now()
      view.dispatchEvent(new WheelEvent('wheel', { deltaY: 100 * direction, bubbles: true, cancelable: true }))
      // Vue applies the new slice in a microtask; then the view draws in an animation frame, and the frame after
      // that starts once the drawn one is composited.
      await Promise.resolve()
      let waited = 0
      while (Number(view.dataset.frames) === before && waited++ < 30) await frame()
      await frame()
      out.push({ ms: performance.now() - started, draws: Number(view.dataset.frames) - before, drawCallMs: Number(view.dataset.renderMs) })
    }
    return out
  })(${count})`)
}

/** Draws caused by `burst` wheel events sent within one frame. */
export async function drawsForBurst(page: Page, burst: number): Promise<{ draws: number; moved: number }> {
  return page.evaluate(`(async (burst) => {
    const view = document.querySelector('[data-testid="slice-view"]')
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()))
    await frame()
    await frame()
    const before = Number(view.dataset.frames)
    const slice = Number(view.dataset.slice)
    const direction = slice >= burst ? -1 : 1
    for (let i = 0; i < burst; i++) view.dispatchEvent(new WheelEvent('wheel', { deltaY: 100 * direction, bubbles: true, cancelable: true }))
    await Promise.resolve()
    await frame()
    await frame()
    await frame()
    return { draws: Number(view.dataset.frames) - before, moved: Math.abs(Number(view.dataset.slice) - slice) }
  })(${burst})`)
}

/** Opens the inspector on the newest interpolation run of `dataset` and waits until its first volume is drawn. */
export async function openInspectorOn(page: Page, url: string, dataset: string, volumeId: number): Promise<void> {
  await page.goto(url)
  await page.locator('[data-testid="tab-inspect"]').click()
  await page.locator('[data-testid="plan-dataset"]').selectOption(dataset)
  await page.locator(`[data-testid="inspector-view"][data-volume-id="${volumeId}"]`).waitFor({ timeout: 60_000 })
  await page.locator('[data-testid="inspect-loading"]').waitFor({ state: 'detached', timeout: 60_000 })
  await page.locator('[data-testid="slice-view"]:not([data-frames="0"])').waitFor({ timeout: 30_000 })
}

const round = (x: number): number => Math.round(x * 10) / 10

export default async function benchSliceStep(): Promise<void> {
  const chromium = chromiumStatus()
  if (!chromium.available) {
    console.log(`slice-step: skipped, ${chromium.message}`)
    return
  }
  const session = await openBrowserSession('wb-bench-slice-step-')
  try {
    const { server, page } = session
    const plan = await apiCall<Plan>(server, 'plans:create', { dataset: 'sample', density: 0.2, volumeFraction: 0.25, method: 'fixed', seed: 0 })
    const run = await apiCall<InterpolationRun>(server, 'interpolation:run', { planId: plan.planId, method: 'propagate' })
    const volume = run.volumes[0]!
    await openInspectorOn(page, server.url, 'sample', volume.volumeId)
    const size = await page.locator('[data-testid="slice-view"]').boundingBox()
    await timeSliceSteps(page, 10)
    const load = loadavg()[0]!
    const timings = await timeSliceSteps(page, steps)
    const burst = await drawsForBurst(page, 5)
    const ms = timings.map((t) => t.ms)
    const sorted = [...ms].sort((a, b) => a - b)
    const report = {
      volume: `${volume.volume}, ${volume.slices.length} slices`,
      viewCssPixels: [Math.round(size?.width ?? 0), Math.round(size?.height ?? 0)],
      steps: ms.length,
      medianStepMs: round(median(ms)),
      p10StepMs: round(sorted[Math.floor(sorted.length * 0.1)]!),
      p90StepMs: round(sorted[Math.floor(sorted.length * 0.9)]!),
      maxStepMs: round(sorted[sorted.length - 1]!),
      medianDrawCallMs: round(median(timings.map((t) => t.drawCallMs))),
      drawsPerStep: round(timings.reduce((s, t) => s + t.draws, 0) / timings.length),
      drawsForFiveWheelEventsInOneFrame: burst.draws,
      slicesMovedByThem: burst.moved,
      loadAverage1min: round(load),
      problems: session.problems,
    }
    console.log(`slice-step: median ${report.medianStepMs} ms a wheel step (goal ≤ 50 ms; 1-min load average ${report.loadAverage1min} on this machine)`)
    console.log(`slice-step: ${JSON.stringify(report)}`)
  } finally {
    await session.close()
  }
}
