import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Fusion, InterpolationMethod, SliceQuality } from '../../../shared/interpolation'
import type { Volume } from '../../../shared/volume'
import { extractSlice, foregroundSliceIndices, readImageFile, readLabelFile, sliceCount, writeNiftiFile } from '../volume'
import { distanceToNearest, interpolateMask } from './interpolate'
import type { InterpolationResult } from './types'
import { sliceOverlaps, volumeOverlap } from './metrics'

/** One volume to interpolate: plain data, so it can cross into a worker thread. */
export interface VolumeTask {
  imagePath: string
  /** The dense human mask: the reference for the metrics, and the source of the annotations unless maskPath is set. */
  labelPath: string
  /** A sparse mask file holding the annotations (imported plans); its unannotated slices are ignored. */
  maskPath?: string
  annotated: number[]
  method: InterpolationMethod
  fusion?: Fusion
  /** Where to write the dense mask (.nii.gz); nothing is written when absent. */
  outPath?: string
  /** Keep the per-slice records (the inspector's chart); off for bulk quality tables. */
  perSlice?: boolean
  /**
   * Quality tables choose slices blindly, and at low density they can all miss a small object: then the
   * honest answer is an empty mask (what an annotator who saw nothing would give), not an error.
   */
  emptyWhenNothingAnnotated?: boolean
}

export interface VolumeTaskResult {
  iou: number
  dice: number
  perLabel: Record<string, { iou: number; dice: number }>
  slices: SliceQuality[]
  /** Time spent interpolating, without file I/O. */
  ms: number
}

/**
 * Interpolates one volume's sparse annotations and measures the result against its dense human mask,
 * per slice and for the whole volume. The function a worker thread runs for each volume.
 */
export function runVolumeTask(task: VolumeTask, onProgress?: (done: number, total: number) => void): VolumeTaskResult {
  const image = readImageFile(task.imagePath)
  const reference = readLabelFile(task.labelPath)
  // Only the annotated slices of `sparse` are read, so for generated plans the dense mask itself serves.
  const sparse = task.maskPath ? readLabelFile(task.maskPath) : reference
  const started = performance.now()
  const dims = image.header.dims
  const axis = image.header.sliceAxis
  const result =
    task.emptyWhenNothingAnnotated && !task.annotated.some((i) => extractSlice(dims, sparse.data, axis, i).some((v) => v !== 0))
      ? emptyResult(image, task.annotated)
      : interpolateMask(
          { image, sparse: sparse.data, annotated: task.annotated, method: task.method, options: task.fusion ? { fusion: task.fusion } : {} },
          onProgress,
        )
  const ms = performance.now() - started
  const whole = volumeOverlap(result.dense, reference.data)
  const humanForeground = task.perSlice ? new Set(foregroundSliceIndices(dims, reference.data, axis)) : new Set<number>()
  const slices: SliceQuality[] = task.perSlice
    ? sliceOverlaps(dims, axis, result.dense, reference.data, task.annotated).map((s, i) => ({
        index: s.index,
        source: result.slices[i]?.source ?? 'empty',
        distance: s.distance,
        iou: s.iou,
        dice: s.dice,
        foreground: humanForeground.has(s.index),
      }))
    : []
  if (task.outPath) {
    mkdirSync(dirname(task.outPath), { recursive: true })
    const out: Volume = { header: { ...reference.header, storedDtype: 'uint8', sclSlope: 1, sclInter: 0 }, data: result.dense }
    writeNiftiFile(task.outPath, out)
  }
  return { iou: whole.iou, dice: whole.dice, perLabel: whole.labels, slices, ms }
}

/** An all-zero result with the slice records an interpolation would have given. */
function emptyResult(image: Volume, annotated: readonly number[]): InterpolationResult {
  const sorted = [...annotated].sort((a, b) => a - b)
  const n = sliceCount(image.header.dims, image.header.sliceAxis)
  return {
    dense: new Uint8Array(image.data.length),
    slices: Array.from({ length: n }, (_, index) => {
      const distance = distanceToNearest(sorted, index)
      return { index, source: distance === 0 ? ('annotated' as const) : ('empty' as const), distance }
    }),
  }
}
