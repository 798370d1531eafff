// M.I. mode ("train on interpolated masks") needs a plan's interpolation with the chosen method. The training
// uses the newest finished one, or makes one first; these helpers find it among the runs so the Train view can
// say which it is and link it.
import type { InterpolationMethod } from '../../../shared/interpolation'
import type { RunRecord } from '../../../shared/run'

/** M.I. in words, for the Mode menu and the progress. */
export function miModeText(method: InterpolationMethod): string {
  return `train on interpolated masks (M.I.), ${method}`
}

/** The interpolation run a training of (plan, method) uses: the newest finished one (as the core picks it). */
export function finishedInterpolation(runs: readonly RunRecord[], planId: number, method: InterpolationMethod): RunRecord | undefined {
  return newestFirst(runs).find((r) => r.kind === 'interpolation' && r.status === 'done' && r.config.planId === planId && r.config.method === method)
}

/** An interpolation of (plan, method) recorded after `afterId`: the one a training is making now. */
export function interpolationSince(runs: readonly RunRecord[], planId: number, method: InterpolationMethod, afterId: number): RunRecord | undefined {
  return newestFirst(runs).find((r) => r.kind === 'interpolation' && r.id > afterId && r.config.planId === planId && r.config.method === method)
}

function newestFirst(runs: readonly RunRecord[]): RunRecord[] {
  return [...runs].sort((a, b) => b.id - a.id)
}
