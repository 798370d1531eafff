import type { DistanceRow } from '../../../shared/interpolation'
import type { Axis, VoxelArray } from '../../../shared/volume'
import { sliceCount, type Dims } from '../volume'

/** IoU and Dice of one comparison. Both masks empty counts as perfect agreement: IoU = Dice = 1. */
export interface Overlap {
  iou: number
  dice: number
}

/** Foreground (any nonzero label) overlap and the overlap of every label present in either mask. */
export interface OverlapReport extends Overlap {
  labels: Record<string, Overlap>
}

/** A per-slice report with the slice's index and its distance to the nearest annotated slice. */
export interface SliceQuality extends OverlapReport {
  index: number
  distance: number
}

/** IoU and Dice from voxel counts: intersection, |prediction|, |reference|. */
export function overlapFromCounts(inter: number, pred: number, ref: number): Overlap {
  const union = pred + ref - inter
  // Nothing predicted and nothing there is a correct answer, not an undefined one.
  if (union === 0) return { iou: 1, dice: 1 }
  return { iou: inter / union, dice: (2 * inter) / (pred + ref) }
}

/** Overlap of two label arrays of equal length, foreground and per label. */
function report(pred: ArrayLike<number>, ref: ArrayLike<number>): OverlapReport {
  let inter = 0
  let np = 0
  let nr = 0
  const perLabel = new Map<number, [number, number, number]>()
  const get = (label: number): [number, number, number] => {
    let c = perLabel.get(label)
    if (!c) perLabel.set(label, (c = [0, 0, 0]))
    return c
  }
  for (let p = 0; p < pred.length; p++) {
    const a = pred[p] as number
    const b = ref[p] as number
    if (a !== 0) {
      np++
      get(a)[1]++
    }
    if (b !== 0) {
      nr++
      get(b)[2]++
    }
    if (a !== 0 && b !== 0) {
      inter++
      if (a === b) get(a)[0]++
    }
  }
  const labels: Record<string, Overlap> = {}
  for (const label of [...perLabel.keys()].sort((x, y) => x - y)) {
    const [i, a, b] = perLabel.get(label) as [number, number, number]
    labels[String(label)] = overlapFromCounts(i, a, b)
  }
  return { ...overlapFromCounts(inter, np, nr), labels }
}

/** Whole-volume IoU and Dice of a predicted label volume against a dense reference, foreground and per label. */
export function volumeOverlap(pred: ArrayLike<number>, ref: ArrayLike<number>): OverlapReport {
  if (pred.length !== ref.length) throw new RangeError(`prediction has ${pred.length} voxels, reference ${ref.length}`)
  return report(pred, ref)
}

/** Foreground IoU only, without the per-label bookkeeping: the hot path of the benchmark. */
export function foregroundIoU(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  let inter = 0
  let union = 0
  for (let p = 0; p < pred.length; p++) {
    const a = pred[p] !== 0
    const b = ref[p] !== 0
    if (a && b) inter++
    if (a || b) union++
  }
  return union === 0 ? 1 : inter / union
}

/**
 * IoU and Dice of every slice along `axis` (foreground and per label), each with its distance to the nearest
 * of the `annotated` slices: the data behind the viewer's per-slice chart. One pass over the volume.
 */
export function sliceOverlaps(dims: Dims, axis: Axis, pred: VoxelArray, ref: VoxelArray, annotated: readonly number[]): SliceQuality[] {
  const n = sliceCount(dims, axis)
  const [nx, ny, nz] = dims
  if (pred.length !== nx * ny * nz || ref.length !== pred.length) throw new RangeError(`prediction and reference must both have ${nx * ny * nz} voxels`)
  const fg = new Float64Array(3 * n) // per slice: intersection, |pred|, |ref|
  const perLabel = new Map<number, Float64Array>()
  const counts = (label: number): Float64Array => {
    let c = perLabel.get(label)
    if (!c) perLabel.set(label, (c = new Float64Array(3 * n)))
    return c
  }
  for (let k = 0, p = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const a = pred[p] as number
        const b = ref[p] as number
        if (a === 0 && b === 0) continue
        const s = 3 * (axis === 0 ? i : axis === 1 ? j : k)
        if (a !== 0) {
          fg[s + 1] = (fg[s + 1] as number) + 1
          bump(counts(a), s + 1)
        }
        if (b !== 0) {
          fg[s + 2] = (fg[s + 2] as number) + 1
          bump(counts(b), s + 2)
        }
        if (a !== 0 && b !== 0) {
          fg[s] = (fg[s] as number) + 1
          if (a === b) bump(counts(a), s)
        }
      }
    }
  }
  const labelValues = [...perLabel.keys()].sort((x, y) => x - y)
  const out: SliceQuality[] = []
  for (let s = 0; s < n; s++) {
    let distance = Infinity
    for (const a of annotated) distance = Math.min(distance, Math.abs(a - s))
    const labels: Record<string, Overlap> = {}
    for (const label of labelValues) {
      const c = perLabel.get(label) as Float64Array
      // Only labels present on this slice (in either mask) are reported, as volumeOverlap does per volume.
      if ((c[3 * s + 1] as number) + (c[3 * s + 2] as number) > 0) labels[String(label)] = overlapFromCounts(c[3 * s] as number, c[3 * s + 1] as number, c[3 * s + 2] as number)
    }
    out.push({ index: s, distance, ...overlapFromCounts(fg[3 * s] as number, fg[3 * s + 1] as number, fg[3 * s + 2] as number), labels })
  }
  return out
}

function bump(c: Float64Array, i: number): void {
  c[i] = (c[i] as number) + 1
}

export type { DistanceRow } from '../../../shared/interpolation'

/**
 * Quality against the distance to the nearest annotated slice: slice records (from any number of volumes)
 * grouped by distance, ascending, with their mean IoU and Dice.
 */
export function qualityByDistance(records: readonly { distance: number; iou: number; dice: number }[]): DistanceRow[] {
  const groups = new Map<number, [number, number, number]>()
  for (const r of records) {
    const g = groups.get(r.distance) ?? [0, 0, 0]
    g[0]++
    g[1] += r.iou
    g[2] += r.dice
    groups.set(r.distance, g)
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([distance, [k, i, d]]) => ({ distance, slices: k, meanIoU: i / k, meanDice: d / k }))
}
