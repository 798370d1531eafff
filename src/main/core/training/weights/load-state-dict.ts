/**
 * A PyTorch state dict (read by safetensors.ts or torch-zip.ts) mapped onto a net's named variables: by name, with
 * the one prefix pairing that matches the most names (a file saved from `model.module` or without `backbone.`
 * still lines up), each tensor turned from PyTorch's layout into ours by the variable's TorchLayout. Planning is
 * pure (values and report from shapes and names); assignment happens only after the whole plan is made, so a
 * refused file leaves the net as it was.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../../shared/errors'
import { shown } from '../../../../shared/init-from'
import type { InitFromReport } from '../../../../shared/training'
import type { TorchLayout } from '../models/params'
import { gatherStrided, type FileTensor, type StateDictFile } from './file-tensor'

/** What the mapping needs of a net: its variables and their layouts against PyTorch's. */
export interface LoadableNet {
  readonly weights: ReadonlyMap<string, tf.Variable>
  readonly state: ReadonlyMap<string, tf.Variable>
  readonly layouts: ReadonlyMap<string, TorchLayout>
}

/** One of our variables as the planner sees it. */
export interface TargetVariable {
  readonly name: string
  readonly shape: readonly number[]
  readonly layout: TorchLayout
}

/** The values to assign (our layout) by our variable name, and the report. */
export interface StateDictPlan {
  readonly values: ReadonlyMap<string, Float32Array>
  readonly report: InitFromReport
}

/** Prefixes at most this many dot-separated segments deep are tried on either side (`module.backbone.` is two). */
const MAX_PREFIX_SEGMENTS = 3

/**
 * '' and the first 1…MAX_PREFIX_SEGMENTS segments of `key` with their trailing dot, each leaving a rest of at least
 * two segments: a bare leaf ('weight') would pair any module with any other. (Top-level names such as `cls_token`
 * still follow the chosen pairing; they just do not choose it.)
 */
function prefixesOf(key: string): string[] {
  const out = ['']
  let at = -1
  for (let depth = 0; depth < MAX_PREFIX_SEGMENTS; depth++) {
    at = key.indexOf('.', at + 1)
    if (at < 0 || key.indexOf('.', at + 1) < 0) break
    out.push(key.slice(0, at + 1))
  }
  return out
}

/**
 * The pairing (file prefix, our prefix) under which the most file keys name one of our variables: a file key
 * `file + rest` is our `ours + rest`. Ties go to the shorter prefixes ('' and '' first).
 */
export function choosePrefixPairing(fileKeys: readonly string[], ourNames: readonly string[]): { file: string; ours: string; matches: number } {
  // Every way of writing one of our names as prefix + rest, indexed by rest.
  const oursByRest = new Map<string, string[]>()
  for (const name of ourNames) {
    for (const prefix of prefixesOf(name)) {
      const rest = name.slice(prefix.length)
      const list = oursByRest.get(rest)
      if (list) list.push(prefix)
      else oursByRest.set(rest, [prefix])
    }
  }
  const scores = new Map<string, { file: string; ours: string; matches: number }>()
  for (const key of fileKeys) {
    for (const filePrefix of prefixesOf(key)) {
      for (const ourPrefix of oursByRest.get(key.slice(filePrefix.length)) ?? []) {
        const id = `${filePrefix}\u0000${ourPrefix}`
        const score = scores.get(id)
        if (score) score.matches++
        else scores.set(id, { file: filePrefix, ours: ourPrefix, matches: 1 })
      }
    }
  }
  let best = { file: '', ours: '', matches: 0 }
  for (const s of scores.values()) {
    const shorter = s.file.length + s.ours.length < best.file.length + best.ours.length
    const tieOrder = s.file.length + s.ours.length === best.file.length + best.ours.length && `${s.file}\u0000${s.ours}` < `${best.file}\u0000${best.ours}`
    if (s.matches > best.matches || (s.matches === best.matches && (shorter || tieOrder))) best = s
  }
  return best
}

/**
 * The axis order taking a PyTorch tensor of rank `rank` to ours (ours axis i = torch axis perm[i]), or null when
 * the rank does not fit the layout:
 *   conv [out, in, k…] → [k…, in, out];  conv-transpose [in, out, k…] → [k…, out, in] (the same permutation);
 *   depthwise [C, 1, k…] → [k…, C, 1];  linear [out, in] → [in, out];  same: as it is.
 */
export function layoutPermutation(layout: TorchLayout, rank: number): number[] | null {
  const kernelAxes = Array.from({ length: Math.max(0, rank - 2) }, (_, i) => i + 2)
  switch (layout) {
    case 'conv':
    case 'conv-transpose':
      return rank >= 3 ? [...kernelAxes, 1, 0] : null
    case 'depthwise':
      return rank >= 3 ? [...kernelAxes, 0, 1] : null
    case 'linear':
      return rank === 2 ? [1, 0] : null
    case 'same':
      return Array.from({ length: rank }, (_, i) => i)
  }
}

/** `values` (row-major, `shape`) with its axes reordered: output axis i is input axis perm[i]. */
export function permuteAxes(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  if (perm.every((p, i) => p === i)) return values
  const strides = new Array<number>(shape.length).fill(1)
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] as number) * (shape[i + 1] as number)
  // The permuted tensor is a strided view of the original: gather it in the new row-major order.
  return gatherStrided(
    values,
    0,
    perm.map((p) => shape[p] as number),
    perm.map((p) => strides[p] as number),
  )
}

/** The file tensor in our layout when, permuted by `layout`, it has our shape; otherwise null. */
function inOurLayout(tensor: FileTensor, target: TargetVariable): Float32Array | null {
  const perm = layoutPermutation(target.layout, tensor.shape.length)
  if (!perm || perm.length !== target.shape.length) return null
  if (perm.some((p, i) => tensor.shape[p] !== target.shape[i])) return null
  return permuteAxes(tensor.values, tensor.shape, perm)
}

/**
 * Plans loading `file` into the variables `targets` (weights then state, in the net's order): which file key goes
 * where in our layout, and the report. Refuses (InputError naming `source`) a file of which no tensor fits.
 */
export function planStateDictLoad(targets: readonly TargetVariable[], file: StateDictFile, source: string): StateDictPlan {
  const fileKeys = [...file.tensors.keys()]
  const pairing = choosePrefixPairing(
    fileKeys,
    targets.map((t) => t.name),
  )
  const byName = new Map(targets.map((t) => [t.name, t]))
  const values = new Map<string, Float32Array>()
  const report: InitFromReport = {
    file: source,
    format: file.format,
    prefix: { file: pairing.file, ours: pairing.ours },
    loaded: [],
    skipped: [],
    missing: [],
    mismatched: [],
    converted: {},
  }
  const found = new Set<string>()
  for (const [key, tensor] of file.tensors) {
    const name = key.startsWith(pairing.file) ? pairing.ours + key.slice(pairing.file.length) : null
    const target = name === null ? undefined : byName.get(name)
    if (!target) {
      report.skipped.push(key)
      continue
    }
    found.add(target.name)
    const ours = inOurLayout(tensor, target)
    if (!ours) {
      report.mismatched.push({ name: target.name, fileKey: key, fileShape: [...tensor.shape], ourShape: [...target.shape] })
      continue
    }
    values.set(target.name, ours)
    if (tensor.dtype !== 'F32') report.converted[tensor.dtype] = (report.converted[tensor.dtype] ?? 0) + 1
  }
  for (const t of targets) {
    if (values.has(t.name)) report.loaded.push(t.name)
    else if (!found.has(t.name)) report.missing.push(t.name)
  }
  if (report.loaded.length === 0) {
    const example = report.mismatched[0]
    throw new InputError(
      source,
      example
        ? `no tensor of the file fits the net: ${report.mismatched.length} names match but every shape differs (e.g. '${shown(example.fileKey)}' [${example.fileShape.join(', ')}], ours '${example.name}' [${example.ourShape.join(', ')}])`
        : `no tensor name of the file matches the net's variables (file keys like '${shown(fileKeys[0] ?? '(none)')}', ours like '${targets[0]?.name ?? '(none)'}')`,
    )
  }
  return { values, report }
}

/** The net's variables as the planner sees them, weights first, then state, each in the net's order. */
export function targetsOf(net: LoadableNet): TargetVariable[] {
  return [...net.weights, ...net.state].map(([name, v]) => ({ name, shape: v.shape, layout: net.layouts.get(name) ?? 'same' }))
}

/**
 * Loads a state dict into `net` and says what went where. Variables the file lacks or holds in another shape keep
 * their initialisation; nothing is assigned when the file is refused.
 */
export function loadStateDictInto(net: LoadableNet, file: StateDictFile, source: string): InitFromReport {
  const plan = planStateDictLoad(targetsOf(net), file, source)
  for (const [name, values] of plan.values) {
    const v = net.weights.get(name) ?? (net.state.get(name) as tf.Variable)
    const t = tf.tensor(values, v.shape)
    v.assign(t)
    t.dispose()
  }
  return plan.report
}
