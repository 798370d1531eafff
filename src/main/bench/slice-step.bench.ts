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
import { drawsForBurst, timeSliceSteps } from '../../../e2e/slice-steps'
import { median } from './timing'

/** Steps measured (after 10 untimed ones); each goes one slice up or down, turning at the volume's ends. */
const steps = Number(process.env.SLICE_STEP_COUNT ?? 120)

/** Opens the inspector on the newest interpolation run of `dataset` and waits until its first volume is drawn. */
async function openInspectorOn(page: Page, url: string, dataset: string, volumeId: number): Promise<void> {
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
