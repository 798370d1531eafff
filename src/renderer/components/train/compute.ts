// The Train view's compute facts: the "Compute" choice of the form (Automatic = the backend ladder, or one
// forced backend), the line saying what a run will train on here (from training:backends), and the line a
// finished run shows about what it trained on. No Vue here, so it can be tested.
import {
  describeAdapter,
  type BackendProbe,
  type GpuAdapter,
  type TrainBackend,
  type TrainResult,
} from '../../../shared/training'

/** The form's choice: null is Automatic (the ladder's first rung that works). */
export type ComputeChoice = TrainBackend | null

/** The Compute select's options, Automatic first, then the backends a user may force. */
export const computeChoices: readonly { value: ComputeChoice; label: string }[] = [
  { value: null, label: 'Automatic (fastest available)' },
  { value: 'webgpu', label: 'webgpu — GPU' },
  { value: 'wasm', label: 'wasm — CPU, WebAssembly' },
  { value: 'cpu', label: 'cpu — CPU, plain JavaScript (slow)' },
  { value: 'tensorflow', label: 'tensorflow — native TensorFlow' },
]

type Rung = BackendProbe['rungs'][number]

function rungOf(probe: BackendProbe, name: TrainBackend): Rung | undefined {
  return probe.rungs.find((r) => r.name === name)
}

/** A software adapter the webgpu rung found (taken only when webgpu is chosen), else null. */
function softwareAdapter(probe: BackendProbe): GpuAdapter | null {
  const adapter = rungOf(probe, 'webgpu')?.adapter ?? null
  return adapter?.software ? adapter : null
}

/** An option's label, with what this machine says of that backend. */
export function computeChoiceLabel(choice: ComputeChoice, probe: BackendProbe | undefined): string {
  const label = computeChoices.find((c) => c.value === choice)?.label ?? String(choice)
  if (choice === null || !probe) return label
  if (choice === 'webgpu' && softwareAdapter(probe)) return `${label} (software adapter only)`
  if (rungOf(probe, choice)?.available !== false) return label
  // A forced webgpu still searches at its start (see computeLine), so only the hardware search is known to fail.
  return choice === 'webgpu' ? `${label} (no hardware adapter found)` : `${label} (not available here)`
}

/** Reasons of a rung in short: without the rung's own prefix and, for packages, without the loader's message. */
function shortReasons(rung: Rung | undefined): string {
  if (!rung || rung.detail.length === 0) return 'no reason given'
  return rung.detail.map((d) => d.replace(/^webgpu:\s*/, '').replace(/^(\S+: not (?:loadable|installed)) \(.*\)$/, '$1')).join('; ')
}

/** What a backend computes on, for the end of a line ("wasm (CPU)"). */
function computesOn(name: TrainBackend): string {
  switch (name) {
    case 'wasm':
      return 'wasm (CPU)'
    case 'cpu':
      return 'cpu (plain JavaScript, very slow)'
    case 'webgpu':
      return 'webgpu (GPU)'
    case 'tensorflow':
      return 'tensorflow (native)'
  }
}

/** Why a run that reached the wasm or cpu rung found no GPU to train on. */
function noGpuReason(probe: BackendProbe): string {
  const soft = softwareAdapter(probe)
  if (soft) return `No hardware GPU adapter found — only a software one, ${describeAdapter(soft)}`
  return `No GPU adapter found — ${shortReasons(rungOf(probe, 'webgpu'))}`
}

/** The compute line's text and how it should look (a forced backend that is missing here: 'error'). */
export interface ComputeLine {
  text: string
  tone: 'ok' | 'warn' | 'error'
}

/** The line beside the Compute select: what a run with this choice trains on, on this machine. */
export function computeLine(probe: BackendProbe, choice: ComputeChoice): ComputeLine {
  const name = choice ?? probe.chosen
  const rung = rungOf(probe, name)
  if (choice === 'webgpu' && rung && !rung.available && !softwareAdapter(probe)) {
    // The probe searches as the ladder does; a forced run searches further at its start (OpenGL on Linux,
    // software adapters), which the app's main thread must not do, so whether that finds one is not known here.
    return { text: `No hardware GPU adapter found here — ${shortReasons(rung)}. A run on webgpu searches again at its start, software adapters included (slower than wasm), and fails there if none opens.`, tone: 'warn' }
  }
  if (choice !== null && rung && !rung.available && !(name === 'webgpu' && softwareAdapter(probe))) {
    return { text: `${name} is not available here — ${shortReasons(rung)}. A run with it fails at its start.`, tone: 'error' }
  }
  switch (name) {
    case 'webgpu': {
      const adapter = rung?.adapter ?? null
      if (adapter?.software) return { text: `Software adapter: ${describeAdapter(adapter)}; training runs on webgpu, slower than on wasm`, tone: 'warn' }
      return { text: `GPU: ${adapter ? describeAdapter(adapter) : 'an unnamed adapter'}; training runs on ${computesOn(name)}`, tone: 'ok' }
    }
    case 'tensorflow': {
      const loads = rung?.detail.find((d) => d.endsWith(' loads'))
      return { text: `TensorFlow: ${loads ?? 'a native package loads'}; training runs on ${computesOn(name)}`, tone: 'ok' }
    }
    case 'wasm':
    case 'cpu': {
      const tone = name === 'cpu' ? 'warn' : 'ok'
      if (choice === null) return { text: `${noGpuReason(probe)}; training runs on ${computesOn(name)}`, tone }
      return { text: `Training runs on ${name} — ${rung?.detail.join('; ') ?? computesOn(name)}`, tone }
    }
  }
}

/** For a software-only adapter: it is correct but slow, and used only when chosen (null otherwise). */
export function softwareAdapterNote(probe: BackendProbe): string | null {
  if (!softwareAdapter(probe)) return null
  return 'A software adapter is the CPU drawing as a GPU: correct, but slower than wasm, so training uses it only when Compute is set to webgpu.'
}

/** One line per rung for the "what this machine offers" disclosure. */
export function rungLines(probe: BackendProbe): { name: TrainBackend; available: boolean; text: string }[] {
  return probe.rungs.map((r) => ({ name: r.name, available: r.available, text: r.detail.join('; ') }))
}

/** "5 steps on webgpu — llvmpipe (opengl, software)", "5 steps on wasm (2 threads)": what a run trained on. */
export function stepsOnLine(result: Pick<TrainResult, 'steps' | 'backend' | 'adapter' | 'threads'>): string {
  const on = `${result.steps} step${result.steps === 1 ? '' : 's'} on ${result.backend}`
  if (result.backend === 'webgpu') return result.adapter ? `${on} — ${describeAdapter(result.adapter)}` : on
  return `${on} (${result.threads} thread${result.threads === 1 ? '' : 's'})`
}
