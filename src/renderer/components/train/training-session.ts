// The Train view's one training run, kept outside the component so it survives switching tabs: what was
// started, the live progress (from `training` events) and how it ended.
import { shallowRef, type ShallowRef } from 'vue'
import type { InterpolationMethod } from '../../../shared/interpolation'
import type { TrainConfigInput, TrainProgress, TrainResult } from '../../../shared/training'
import { api, on, watchEventLink, type EventLinkState } from '../../api/client'
import { finishedInterpolation, interpolationSince } from './mi-interpolation'

export type TrainSessionState =
  | { status: 'idle' }
  /** train:start sent; the run id comes with the run's first event. */
  | { status: 'starting'; dataset: string }
  | { status: 'running'; dataset: string; runId: number; progress: TrainProgress; cancelling: boolean }
  | { status: 'done'; dataset: string; runId: number; result: TrainResult }
  | { status: 'cancelled'; dataset: string; runId: number }
  | { status: 'failed'; dataset: string; runId: number | undefined; message: string }

export interface CurvePoint {
  step: number
  loss: number
}

const state = shallowRef<TrainSessionState>({ status: 'idle' })
const curve = shallowRef<CurvePoint[]>([])
/** Training events received for the run on show (the e2e test reads it to see progress arrive live). */
const eventsSeen = shallowRef(0)
const link = shallowRef<EventLinkState>('closed')
/** A problem with the last cancel request, in plain words. */
const cancelProblem = shallowRef<string>()
let subscribed = false

/**
 * The interpolation an M.I. run trains on: an existing one (`made` false), or one the training makes first
 * (`made` true; its run id is known once it is recorded). Undefined for sparse and dense runs.
 */
export interface MiInterpolation {
  planId: number
  method: InterpolationMethod
  made: boolean
  runId: number | undefined
}
const interpolation = shallowRef<MiInterpolation>()
let interpolationPoll: ReturnType<typeof setInterval> | undefined

/** Finds which interpolation the M.I. run uses (or is making), and follows a made one until it is recorded. */
async function lookUpInterpolation(planId: number, method: InterpolationMethod): Promise<void> {
  const runs = await api.invoke('runs:list', { kind: 'interpolation' }).catch(() => [])
  const existing = finishedInterpolation(runs, planId, method)
  if (existing) {
    interpolation.value = { planId, method, made: false, runId: existing.id }
    return
  }
  const before = Math.max(0, ...runs.map((r) => r.id))
  interpolation.value = { planId, method, made: true, runId: undefined }
  const poll = async (): Promise<void> => {
    const now = await api.invoke('runs:list', { kind: 'interpolation' }).catch(() => [])
    const made = interpolationSince(now, planId, method, before)
    const current = interpolation.value
    if (made && current?.planId === planId && current.method === method) {
      interpolation.value = { ...current, runId: made.id }
      stopPolling()
    }
  }
  stopPolling()
  interpolationPoll = setInterval(() => void poll(), 1000)
}

function currentInterpolation(): MiInterpolation | undefined {
  return interpolation.value
}

function stopPolling(): void {
  if (interpolationPoll !== undefined) clearInterval(interpolationPoll)
  interpolationPoll = undefined
}

function onProgress(p: TrainProgress): void {
  const s = state.value
  // The run this view started announces itself with a 'loading' event at step 0 as soon as it is recorded.
  if (s.status === 'starting' && p.phase === 'loading' && p.step === 0) {
    state.value = { status: 'running', dataset: s.dataset, runId: p.runId, progress: p, cancelling: false }
    eventsSeen.value = 1
    return
  }
  if (s.status !== 'running' || p.runId !== s.runId) return
  state.value = { ...s, progress: p }
  eventsSeen.value++
  const last = curve.value[curve.value.length - 1]
  if (p.phase === 'training' && p.loss !== null && Number.isFinite(p.loss) && (!last || p.step > last.step)) {
    curve.value = [...curve.value, { step: p.step, loss: p.loss }]
  }
}

/** Subscribes once to training events and to the event link's state. */
function ensureSubscribed(): void {
  if (subscribed) return
  subscribed = true
  on('training', onProgress)
  watchEventLink((s) => (link.value = s))
}

function runIdOf(s: TrainSessionState): number | undefined {
  return s.status === 'running' ? s.runId : undefined
}

/** Starts a run; resolves when it has ended (state says how). */
async function start(dataset: string, config: Omit<TrainConfigInput, 'datasetId'>): Promise<void> {
  ensureSubscribed()
  state.value = { status: 'starting', dataset }
  curve.value = []
  eventsSeen.value = 0
  cancelProblem.value = undefined
  stopPolling()
  interpolation.value = undefined
  const planId = config.planId ?? null
  const method = config.interpolated ?? null
  // Looked up before the training starts, so a made interpolation is told from an existing one.
  if (planId !== null && method !== null) await lookUpInterpolation(planId, method)
  try {
    const { runId, result } = await api.invoke('train:start', { dataset, config })
    state.value = { status: 'done', dataset, runId, result }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const runId = runIdOf(state.value)
    // The store says how a recorded run ended; a cancel shows as such, not as a failure.
    const record = runId === undefined ? undefined : await api.invoke('runs:get', { runId }).catch(() => undefined)
    state.value = record?.status === 'cancelled' && runId !== undefined ? { status: 'cancelled', dataset, runId } : { status: 'failed', dataset, runId, message }
  } finally {
    // A made interpolation is recorded by now (or the training failed before it): one last look.
    // Read through a function: TypeScript would keep the `undefined` assigned above the awaits.
    const current = currentInterpolation()
    if (current?.made && current.runId === undefined) {
      const runs = await api.invoke('runs:list', { kind: 'interpolation' }).catch(() => [])
      const made = finishedInterpolation(runs, current.planId, current.method)
      if (made && currentInterpolation() === current) interpolation.value = { planId: current.planId, method: current.method, made: true, runId: made.id }
    }
    stopPolling()
  }
}

/** Asks the running run to stop; it ends 'cancelled' at its next step. */
async function cancel(): Promise<void> {
  const s = state.value
  if (s.status !== 'running' || s.cancelling) return
  state.value = { ...s, cancelling: true }
  try {
    await api.invoke('train:cancel', { runId: s.runId })
  } catch (err) {
    cancelProblem.value = err instanceof Error ? err.message : String(err)
    const now = state.value
    if (now.status === 'running') state.value = { ...now, cancelling: false }
  }
}

/** The Train view's session: one run at a time. */
export function useTrainingSession(): {
  state: ShallowRef<TrainSessionState>
  curve: ShallowRef<CurvePoint[]>
  eventsSeen: ShallowRef<number>
  link: ShallowRef<EventLinkState>
  cancelProblem: ShallowRef<string | undefined>
  interpolation: ShallowRef<MiInterpolation | undefined>
  start: typeof start
  cancel: typeof cancel
} {
  ensureSubscribed()
  return { state, curve, eventsSeen, link, cancelProblem, interpolation, start, cancel }
}
