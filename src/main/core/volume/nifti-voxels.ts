import { InputError } from '../../../shared/errors'
import type { VoxelArray } from '../../../shared/volume'
import type { ConvertedDtypeInfo, DtypeInfo } from './nifti-format'

/** Stored voxels turned into an array, and whether its memory is ours alone (so it may be modified in place). */
export interface DecodedVoxels {
  array: VoxelArray
  owned: boolean
}

/** Where one 3D frame's voxels lie: `count` voxels from byte `start` of `bytes`. */
export interface VoxelSpan {
  bytes: Uint8Array
  start: number
  count: number
  littleEndian: boolean
  /** Whether `bytes` is ours to modify (decompressed, or read from disk by us). */
  owned: boolean
  source: string
}

/**
 * The voxels of a type the workbench holds as it is, in host (little-endian) order. A view on `bytes` when the
 * data start is aligned for the type, else one copy; big-endian data is byte-swapped in place, after copying first
 * if `bytes` is the caller's (we never modify a buffer we were handed).
 */
export function viewVoxels(span: VoxelSpan, info: DtypeInfo): DecodedVoxels {
  const { bytes, start, count, littleEndian, owned } = span
  const at = bytes.byteOffset + start
  const mustSwap = !littleEndian && info.bytes > 1
  let array: VoxelArray
  let copied = false
  if (at % info.bytes === 0 && (owned || !mustSwap)) {
    array = new info.ctor(bytes.buffer, at, count)
  } else {
    array = info.alloc(count)
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes.subarray(start, start + count * info.bytes))
    copied = true
  }
  if (mustSwap) {
    const raw = Buffer.from(array.buffer, array.byteOffset, array.byteLength)
    if (info.bytes === 2) raw.swap16()
    else if (info.bytes === 4) raw.swap32()
    else raw.swap64()
  }
  return { array, owned: owned || copied }
}

/** ITU-R BT.601 luma weights: the grey an RGB24 voxel is read as. */
const luma = { r: 0.299, g: 0.587, b: 0.114 } as const

/** Largest magnitude a Float64Array holds exactly for every integer up to it: 2^53 (its high 32-bit word 2^21). */
const EXACT_HIGH_WORD = 2 ** 21
const TWO_32 = 2 ** 32

/**
 * Voxel n of a uint32 / int64 / uint64 view as a number, or NaN when beyond ±2^53. 64-bit values are read as
 * two 32-bit words, so a value too large is caught before it rounds (and no BigInt is made per voxel).
 */
function wideValue(view: DataView, n: number, dtype: 'uint32' | 'int64' | 'uint64', littleEndian: boolean): number {
  if (dtype === 'uint32') return view.getUint32(n * 4, littleEndian)
  const at = n * 8
  const highAt = littleEndian ? at + 4 : at
  const high = dtype === 'int64' ? view.getInt32(highAt, littleEndian) : view.getUint32(highAt, littleEndian)
  const low = view.getUint32(littleEndian ? at : at + 4, littleEndian)
  if (high > EXACT_HIGH_WORD || (high === EXACT_HIGH_WORD && low > 0) || high < -EXACT_HIGH_WORD) return NaN
  return high * TWO_32 + low
}

/**
 * The voxels of a type read by conversion, always into a fresh array:
 * - uint32, int64, uint64: Int32Array when every value fits, else Float64Array, exact up to ±2^53; a larger value
 *   is refused, naming it and its voxel (nothing rounds silently);
 * - rgb24: the luminance 0.299 R + 0.587 G + 0.114 B as Float32Array.
 */
export function convertVoxels(span: VoxelSpan, info: ConvertedDtypeInfo): DecodedVoxels {
  const dtype = info.dtype
  if (dtype === 'rgb24') return { array: luminance(span), owned: true }
  const { bytes, start, count, littleEndian, source } = span
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * info.bytes)
  // First pass: refuse what cannot be held exactly, and learn whether Int32Array is enough.
  let fitsInt32 = true
  for (let n = 0; n < count; n++) {
    const value = wideValue(view, n, dtype, littleEndian)
    if (Number.isNaN(value)) {
      const exact = dtype === 'int64' ? view.getBigInt64(n * 8, littleEndian) : view.getBigUint64(n * 8, littleEndian)
      throw new InputError(source, `holds ${dtype} value ${exact} at voxel ${n} of the frame read, beyond 2^53, the largest the workbench holds exactly`)
    }
    if (value > 2147483647 || value < -2147483648) fitsInt32 = false
  }
  const array = fitsInt32 ? new Int32Array(count) : new Float64Array(count)
  for (let n = 0; n < count; n++) array[n] = wideValue(view, n, dtype, littleEndian)
  return { array, owned: true }
}

function luminance({ bytes, start, count }: VoxelSpan): Float32Array {
  const out = new Float32Array(count)
  for (let n = 0, at = start; n < count; n++, at += 3) {
    out[n] = luma.r * (bytes[at] as number) + luma.g * (bytes[at + 1] as number) + luma.b * (bytes[at + 2] as number)
  }
  return out
}
