/**
 * The parity harness for the PyTorch twins (src/main/bench/pytorch/twins/<module>.py): the twin draws its own
 * weights (torch's default init, seeded) and runs one batch in eval and then in training mode
 * (bench/pytorch/twin_forward.py); we load its weights.safetensors through the product's --init-from loader
 * (readWeightsFile + loadStateDictInto), run the same input through our net in the same two modes, and say how far
 * the logits, the running statistics after the training pass and the parameter counts are apart. The caller picks
 * the backend and asserts (≤ 1e-4 of the logits' scale is the issue's bar).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { resolveModelConfig } from '../../../../shared/models'
import type { InitFromReport, ModelConfig } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { buildModel } from '../models/build-model'
import type { SegmentationNet } from '../types'
import { loadStateDictInto, type LoadableNet } from './load-state-dict'
import { readWeightsFile } from './read-weights'

/** Debian's interpreter, which has python3-torch; `python3` on PATH may be another one without it. */
export const torchPython = '/usr/bin/python3'
/** The benchmark's PyTorch folder (twin_forward.py, twins/, the fixtures). */
export const pytorchBenchDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/pytorch')

let torchProbe: string | null | undefined

/** Null when /usr/bin/python3 imports torch; otherwise why not (the reason a spec skips with). Probed once. */
export function torchMissing(): string | null {
  if (torchProbe !== undefined) return torchProbe
  const probe = spawnSync(torchPython, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 })
  torchProbe =
    probe.error || probe.status !== 0
      ? `${torchPython} cannot import torch (apt-get install python3-torch): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`
      : null
  return torchProbe
}

/** True when the twins can run here (vitest: `describe.skipIf(!torchAvailable())`). */
export function torchAvailable(): boolean {
  return torchMissing() === null
}

export interface TwinParityOptions {
  /** A twin under bench/pytorch/twins/ by name, or a path to a .py file with the same build(). */
  readonly module: string
  readonly inChannels: number
  readonly numClasses: number
  /** The input's shape without channels: [N, (D,) H, W]. */
  readonly inputShape: readonly number[]
  readonly seed: number
}

/** How far apart one mode's logits are: max |ours − twin|, max |twin|, and their ratio. */
export interface LogitsDiff {
  readonly maxAbsDiff: number
  readonly scale: number
  readonly relDiff: number
}

export interface TwinParity {
  readonly eval: LogitsDiff
  readonly train: LogitsDiff
  /** Max |ours − twin| over the state (running statistics) after the training pass, relative to its scale. */
  readonly stateRelDiff: number
  /** Trainable scalars: ours (net.weights) and the twin's (sum of numel of parameters()). */
  readonly ourParams: number
  readonly twinParams: number
  /** What the product's loader did with the twin's state dict. */
  readonly report: InitFromReport
  /** The twin's state-dict keys with their shapes, as the twin wrote them. */
  readonly twinKeys: readonly { key: string; shape: number[] }[]
}

export type TwinParityOutcome = TwinParity | { readonly skipped: string }

interface Manifest {
  logitsShape: number[]
  parameters: number
  stateDict: { key: string; shape: number[] }[]
}

/** Max |a − b| against max |b|. */
export function logitsDiff(ours: Float32Array, twin: Float32Array): LogitsDiff {
  if (ours.length !== twin.length) throw new Error(`logits have ${ours.length} values, the twin's ${twin.length}`)
  let maxAbsDiff = 0
  let scale = 0
  for (let i = 0; i < twin.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs((ours[i] as number) - (twin[i] as number)))
    scale = Math.max(scale, Math.abs(twin[i] as number))
  }
  return { maxAbsDiff, scale, relDiff: maxAbsDiff / (scale > 0 ? scale : 1) }
}

const readFloats = (path: string): Float32Array => {
  const b = readFileSync(path)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

/**
 * Runs the twin `opts.module` with `twinConfig` (JSON-able) and compares it with `net`, which must mirror it; the
 * caller disposes `net`. Skips (returns the reason) where PyTorch is missing.
 */
export function twinParityOfNet(net: SegmentationNet & LoadableNet, twinConfig: unknown, opts: TwinParityOptions): TwinParityOutcome {
  const missing = torchMissing()
  if (missing) return { skipped: missing }
  const dir = mkdtempSync(join(tmpdir(), 'twin-parity-'))
  try {
    const configPath = join(dir, 'config.json')
    writeFileSync(configPath, JSON.stringify(twinConfig))
    const module = opts.module.endsWith('.py') ? resolve(opts.module) : opts.module
    const out = join(dir, 'out')
    const args = [join(pytorchBenchDir, 'twin_forward.py'), module, configPath, out, '--in', String(opts.inChannels), '--classes', String(opts.numClasses), '--shape', opts.inputShape.join(','), '--seed', String(opts.seed)]
    try {
      execFileSync(torchPython, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 })
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? ''
      throw new Error(`twin_forward.py ${opts.module} failed: ${stderr.trim().split('\n').slice(-5).join(' | ') || String(e)}`)
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest
    const weightsPath = join(out, 'weights.safetensors')
    const report = loadStateDictInto(net, readWeightsFile(weightsPath), weightsPath)
    const inputShape = [...opts.inputShape, opts.inChannels]
    const x = tf.tensor(readFloats(join(out, 'input.f32')), inputShape)
    const forward = (training: boolean): Float32Array => {
      const y = net.apply(x, training)
      try {
        if (y.shape.join(',') !== manifest.logitsShape.join(',')) throw new Error(`our logits are [${y.shape.join(', ')}], the twin's [${manifest.logitsShape.join(', ')}]`)
        return y.dataSync() as Float32Array
      } finally {
        y.dispose()
      }
    }
    let evalDiff: LogitsDiff
    let trainDiff: LogitsDiff
    try {
      evalDiff = logitsDiff(forward(false), readFloats(join(out, 'logits-eval.f32')))
      trainDiff = logitsDiff(forward(true), readFloats(join(out, 'logits-train.f32')))
    } finally {
      x.dispose()
    }
    const stateRelDiff = stateDiff(net, readWeightsFile(join(out, 'state-after-train.safetensors')).tensors, report)
    let ourParams = 0
    for (const w of net.weights.values()) ourParams += w.size
    return { eval: evalDiff, train: trainDiff, stateRelDiff, ourParams, twinParams: manifest.parameters, report, twinKeys: manifest.stateDict }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Max over our state variables of max |ours − twin| / max |twin|, the twin's key found by the report's pairing. */
function stateDiff(net: LoadableNet, twinState: ReadonlyMap<string, { values: Float32Array }>, report: InitFromReport): number {
  let worst = 0
  for (const [name, v] of net.state) {
    if (!name.startsWith(report.prefix.ours)) continue
    const twin = twinState.get(report.prefix.file + name.slice(report.prefix.ours.length))
    if (!twin) throw new Error(`the twin has no buffer for our state '${name}'`)
    // Our state and the twin's buffers are vectors (running statistics): the layouts agree.
    worst = Math.max(worst, logitsDiff(v.dataSync() as Float32Array, twin.values).relDiff)
  }
  return worst
}

/**
 * Builds our net of `config` (resolved with the kind's defaults; any seed: the twin's weights replace ours) and
 * compares it with the twin `opts.module` given the same config.
 */
export function twinParity(config: ModelConfig, opts: TwinParityOptions): TwinParityOutcome {
  const missing = torchMissing()
  if (missing) return { skipped: missing }
  const resolved = resolveModelConfig(config)
  const net = buildModel(resolved, { inChannels: opts.inChannels, numClasses: opts.numClasses, rng: createRng(opts.seed + 7) })
  try {
    return twinParityOfNet(net, resolved, opts)
  } finally {
    net.dispose()
  }
}
