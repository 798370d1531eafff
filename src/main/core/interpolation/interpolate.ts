import { InputError } from '../../../shared/errors'
import type { VoxelArray } from '../../../shared/volume'
import { extractSlice, sliceCount, sliceShape, writeSlice } from '../volume'
import { interpolateNearest } from './nearest'
import { robustScale } from './normalise-slices'
import { interpolatePropagate } from './propagate'
import { interpolateSdf } from './sdf'
import { interpolationMethods, type InterpolationInput, type InterpolationResult, type ProgressFn, type SliceMasks, type SliceStack } from './types'

const SOURCE = 'interpolation input'

/**
 * Fills the unannotated slices of a sparse label volume with the chosen method and reports, per slice, where
 * its mask came from and how far the nearest annotated slice is. Bad input throws InputError naming the problem;
 * annotated slices without any foreground are valid input and give an all-background volume.
 */
export function interpolateMask(input: InterpolationInput, onProgress?: ProgressFn, signal?: AbortSignal): InterpolationResult {
  const stack = validate(input, onProgress, signal)
  // Annotated slices that are all background (a random plan can pick only slices beside the structure) say
  // nothing lies there: every method's answer is an all-background volume, as the annotator's reading implies.
  const masks: SliceMasks = stack.labels.length === 0 ? [] : dispatch(input, stack)
  const { dims, sliceAxis } = input.image.header
  const dense = new Uint8Array(dims[0] * dims[1] * dims[2])
  const annotatedSet = new Set(stack.annotated)
  const slices = []
  for (let i = 0; i < stack.n; i++) {
    const mask = masks[i]
    let any = false
    if (mask) {
      for (let p = 0; p < mask.length && !any; p++) any = mask[p] !== 0
      writeSlice(dims, dense, sliceAxis, i, mask)
    }
    const source = annotatedSet.has(i) ? 'annotated' : any ? 'interpolated' : 'empty'
    slices.push({ index: i, source, distance: distanceToNearest(stack.annotated, i) } as const)
  }
  onProgress?.(stack.n, stack.n)
  return { dense, slices }
}

function dispatch(input: InterpolationInput, stack: SliceStack): SliceMasks {
  if (input.method === 'nearest') return interpolateNearest(stack)
  if (input.method === 'sdf') return interpolateSdf(stack)
  return interpolatePropagate(stack, input.options ?? {})
}

/** |i − nearest of the ascending indices `sorted`|. */
export function distanceToNearest(sorted: readonly number[], i: number): number {
  let best = Infinity
  for (const a of sorted) best = Math.min(best, Math.abs(a - i))
  return best
}

function validate(input: InterpolationInput, onProgress: ProgressFn | undefined, signal: AbortSignal | undefined): SliceStack {
  const { image, sparse, method } = input
  if (!interpolationMethods.includes(method)) throw new InputError(SOURCE, `unknown method "${String(method)}" (use ${interpolationMethods.join(', ')})`)
  const { dims, sliceAxis } = image.header
  const total = dims[0] * dims[1] * dims[2]
  if (image.data.length !== total) throw new InputError(SOURCE, `image has ${image.data.length} voxels but its dims ${dims.join('×')} need ${total}`)
  if (sparse.length !== total) throw new InputError(SOURCE, `sparse mask has ${sparse.length} voxels but the image has ${total} (${dims.join('×')}): shapes differ`)
  const n = sliceCount(dims, sliceAxis)
  const annotated = [...input.annotated].sort((a, b) => a - b)
  if (annotated.length === 0) throw new InputError(SOURCE, 'no annotated slices given')
  for (const a of annotated) {
    if (!Number.isInteger(a) || a < 0 || a >= n) throw new InputError(SOURCE, `annotated slice ${a} is outside 0..${n - 1} along axis ${sliceAxis}`)
  }
  for (let j = 1; j < annotated.length; j++) {
    if (annotated[j] === annotated[j - 1]) throw new InputError(SOURCE, `annotated slice ${annotated[j]} is listed twice`)
  }
  const [w, h] = sliceShape(dims, sliceAxis)
  const masks = new Map<number, Uint8Array>()
  const labelSet = new Set<number>()
  for (const a of annotated) {
    const mask = toLabelSlice(extractSlice(dims, sparse, sliceAxis, a), a)
    for (let p = 0; p < mask.length; p++) if (mask[p] !== 0) labelSet.add(mask[p] as number)
    masks.set(a, mask)
  }
  const labels = [...labelSet].sort((a, b) => a - b)
  const scale = robustScale(image.data)
  const cache = new Map<number, Float32Array>()
  let done = 0
  return {
    w,
    h,
    n,
    annotated,
    labels,
    mask: (index) => {
      const m = masks.get(index)
      if (!m) throw new RangeError(`slice ${index} is not annotated`)
      return m
    },
    image: (index) => {
      let s = cache.get(index)
      if (!s) {
        s = scale(extractSlice(dims, image.data, sliceAxis, index))
        cache.set(index, s)
      }
      return s
    },
    checkAbort: () => signal?.throwIfAborted(),
    tick: (k = 1) => {
      done = Math.min(n, done + k)
      onProgress?.(done, n)
    },
  }
}

/** A label slice as Uint8Array: whole numbers 0..255 only (float input must be integral). */
function toLabelSlice(values: VoxelArray, index: number): Uint8Array {
  if (values instanceof Uint8Array) return values
  const out = new Uint8Array(values.length)
  for (let p = 0; p < values.length; p++) {
    const v = values[p] as number
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new InputError(SOURCE, `annotated slice ${index} has label value ${v}: labels must be whole numbers 0..255`)
    }
    out[p] = v
  }
  return out
}
