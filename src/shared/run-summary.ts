// One line about a stored run, shared by the CLI's `workbench runs` and the UI's History view.
import type { RunRecord } from './run'

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})

/** One line about what a run did and what it reached, whatever its kind. */
export function runSummary(run: RunRecord): string {
  const c = run.config
  const r = obj(run.result)
  if (run.kind === 'training') {
    const model = obj(c.model)
    const evaluation = obj(r.evaluation)
    const dice = num(evaluation.meanDice)
    // Sweep trials evaluate on the validation split; a result older than the split field was a test evaluation.
    const split = evaluation.split === 'validation' ? 'validation' : 'test'
    const what = `${String(model.kind ?? '?')} ${c.planId ? `plan ${String(c.planId)}` : 'dense'}${c.interpolated ? ` (${String(c.interpolated)} masks)` : ''}, ${String(c.steps ?? '?')} steps`
    return dice === undefined ? what : `${what}; ${split} Dice ${dice.toFixed(3)} (${String(r.backend ?? '?')}, ${(num(obj(r.timings).msPerStep) ?? 0).toFixed(0)} ms/step)`
  }
  if (run.kind === 'interpolation') {
    const iou = num(r.meanIoU)
    return `plan ${String(c.planId ?? '?')} ${String(c.method ?? '?')}${iou === undefined ? '' : `; mean IoU ${iou.toFixed(3)}`}`
  }
  return ''
}
