// Wheel steps through the inspector's slice view, driven inside the page and timed there: shared by the
// slice-step benchmark (src/main/bench/slice-step.bench.ts) and the first-run walk (first-run.e2e.ts).
import type { Page } from 'playwright-core'

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
