import { InputError } from '../../../shared/errors'
import type { VoxelArray } from '../../../shared/volume'
import type { Dims } from './slice-axis'

/** The integer arrays labels are returned in, narrowest first. */
export type LabelArray = Uint8Array | Int16Array | Int32Array

/**
 * After scl_slope/scl_inter, a float32 slope such as 0.1 (stored as 0.100000001…) turns whole stored numbers
 * into near-whole ones; scaled label values within this distance of an integer are rounded to it.
 * Unscaled values get no tolerance: a float label file must hold exact integers.
 */
const SCALED_TOLERANCE = 1e-3

function where(dims: Dims, index: number): string {
  const i = index % dims[0]
  const j = Math.floor(index / dims[0]) % dims[1]
  const k = Math.floor(index / (dims[0] * dims[1]))
  return `voxel ${index} (i=${i}, j=${j}, k=${k})`
}

/**
 * Turns the stored values of a label file into the narrowest integer array that holds them:
 * Uint8Array for 0..255, else Int16Array for ≤ 32767, else Int32Array.
 * Throws an InputError naming the first voxel whose value is not finite, not whole, negative or too large.
 * Reuses the input memory where the bits already match (Uint8Array; non-negative Int8Array as Uint8Array;
 * Int16Array / Int32Array that need them; Uint16Array ≤ 32767 as Int16Array).
 */
export function toLabelArray(data: VoxelArray, dims: Dims, scale: { slope: number; inter: number } | undefined, source: string): LabelArray {
  const isFloat = data instanceof Float32Array || data instanceof Float64Array
  // A checking pass that finds the maximum (so the narrowest type is known), then a pass that fills it.
  const n = data.length
  let max = 0
  if (scale || isFloat) {
    const slope = scale?.slope ?? 1
    const inter = scale?.inter ?? 0
    const tol = scale ? SCALED_TOLERANCE : 0
    for (let p = 0; p < n; p++) {
      const v = (data[p] as number) * slope + inter
      const r = Math.round(v)
      if (!(Math.abs(v - r) <= tol)) {
        throw new InputError(source, `label ${where(dims, p)} has value ${v}; labels must be finite integers (whole numbers ≥ 0)`)
      }
      if (r < 0) throw new InputError(source, `label ${where(dims, p)} has negative value ${r}; labels must be 0 or more`)
      if (r > max) max = r
    }
    if (max > 0x7fffffff) throw new InputError(source, `label value ${max} is too large (at most ${0x7fffffff})`)
    // Second pass instead of a Float64Array of checked values: a 256³ float label file would need 128 MiB for it.
    const out = allocLabels(n, max)
    for (let p = 0; p < n; p++) out[p] = Math.round((data[p] as number) * slope + inter)
    return out
  }
  let min = 0
  let firstNegative = -1
  for (let p = 0; p < n; p++) {
    const v = data[p] as number
    if (v > max) max = v
    if (v < min) {
      min = v
      if (firstNegative < 0) firstNegative = p
    }
  }
  if (firstNegative >= 0) {
    throw new InputError(source, `label ${where(dims, firstNegative)} has negative value ${data[firstNegative]}; labels must be 0 or more`)
  }
  if (data instanceof Uint8Array) return data
  if (max <= 255 && data instanceof Int8Array) return new Uint8Array(data.buffer, data.byteOffset, n)
  if (max > 255 && max <= 0x7fff && (data instanceof Int16Array || data instanceof Uint16Array)) {
    return data instanceof Int16Array ? data : new Int16Array(data.buffer, data.byteOffset, n)
  }
  if (max > 0x7fff && data instanceof Int32Array) return data
  return narrow(data, max)
}

function allocLabels(length: number, max: number): LabelArray {
  return max <= 255 ? new Uint8Array(length) : max <= 0x7fff ? new Int16Array(length) : new Int32Array(length)
}

function narrow(values: VoxelArray, max: number): LabelArray {
  const out = allocLabels(values.length, max)
  out.set(values)
  return out
}
