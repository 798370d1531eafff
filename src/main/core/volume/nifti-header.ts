import { InputError } from '../../../shared/errors'
import { NIFTI1_HEADER_BYTES, NIFTI2_HEADER_BYTES } from './nifti-format'

/** Where a header's voxels are: after it in the same file (.nii) or in a separate .img (a .hdr/.img pair). */
export type NiftiContainer = 'single' | 'pair'

/**
 * The header fields the workbench uses, as stored (before any interpretation), for either NIfTI version and for
 * Analyze 7.5 (NIfTI-1's ancestor: same 348-byte layout for the fields below up to the description; no scaling,
 * no qform / sform, so those read as 0 here).
 */
export interface RawNiftiHeader {
  version: 1 | 2
  format: 'nifti' | 'analyze'
  container: NiftiContainer
  littleEndian: boolean
  /** dim[0..7]: dim[0] is the number of dimensions. */
  dim: number[]
  datatype: number
  /** pixdim[0..7]: pixdim[0] is qfac. */
  pixdim: number[]
  voxOffset: number
  sclSlope: number
  sclInter: number
  qformCode: number
  sformCode: number
  quatern: [number, number, number]
  qoffset: [number, number, number]
  /** srow_x, srow_y, srow_z: the first three rows of the sform, 12 numbers. */
  srow: number[]
  description: string
}

/**
 * Field offsets of the two header layouts (NIfTI-1: nifti1.h; NIfTI-2: nifti2.h).
 * NIfTI-2 widened dim to int64, every float to float64 and the codes to int32, and reordered fields.
 */
const layout = {
  1: { dim: 40, datatype: 70, pixdim: 76, voxOffset: 108, sclSlope: 112, sclInter: 116, descrip: 148, qformCode: 252, sformCode: 254, quatern: 256, srow: 280 },
  2: { dim: 16, datatype: 12, pixdim: 104, voxOffset: 168, sclSlope: 176, sclInter: 184, descrip: 240, qformCode: 344, sformCode: 348, quatern: 352, srow: 400 },
} as const

const textDecoder = new TextDecoder('utf-8')

/** Text of a fixed-size C string field: up to the first NUL. */
function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return textDecoder.decode(end < 0 ? field : field.subarray(0, end))
}

/**
 * Detects version and byte order from sizeof_hdr (348 or 540, read both ways), checks the magic against the
 * container, and reads the fields the workbench uses. `bytes` is the decompressed file (single) or .hdr (pair).
 * A pair's header without a NIfTI magic is Analyze 7.5, as nibabel reads it.
 */
export function parseNiftiHeader(bytes: Uint8Array, source: string, container: NiftiContainer = 'single'): RawNiftiHeader {
  if (bytes.length < 4) throw new InputError(source, `not a NIfTI file: only ${bytes.length} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const le = view.getInt32(0, true)
  const be = view.getInt32(0, false)
  let version: 1 | 2
  let littleEndian: boolean
  if (le === NIFTI1_HEADER_BYTES || le === NIFTI2_HEADER_BYTES) {
    version = le === NIFTI1_HEADER_BYTES ? 1 : 2
    littleEndian = true
  } else if (be === NIFTI1_HEADER_BYTES || be === NIFTI2_HEADER_BYTES) {
    version = be === NIFTI1_HEADER_BYTES ? 1 : 2
    littleEndian = false
  } else {
    throw new InputError(source, `not a NIfTI file: sizeof_hdr is ${le}, expected ${NIFTI1_HEADER_BYTES} (NIfTI-1) or ${NIFTI2_HEADER_BYTES} (NIfTI-2)`)
  }
  const headerBytes = version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES
  if (bytes.length < headerBytes) {
    throw new InputError(source, `truncated NIfTI-${version} header: ${bytes.length} bytes, the header needs ${headerBytes}`)
  }
  const format = checkMagic(bytes, version, container, source)

  const o = layout[version]
  const i16 = (at: number) => view.getInt16(at, littleEndian)
  const i32 = (at: number) => view.getInt32(at, littleEndian)
  const f32 = (at: number) => view.getFloat32(at, littleEndian)
  const f64 = (at: number) => view.getFloat64(at, littleEndian)
  const i64 = (at: number, field: string) => {
    const v = view.getBigInt64(at, littleEndian)
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new InputError(source, `corrupt NIfTI-2 header: ${field} is ${v}, beyond what can be addressed`)
    }
    return Number(v)
  }
  // NIfTI-1 stores integers as int16 / int32 and reals as float32; NIfTI-2 as int64 / float64.
  const int = (at: number) => (version === 1 ? i16(at) : i64(at, 'dim'))
  const real = version === 1 ? f32 : f64
  const realSize = version === 1 ? 4 : 8
  const intSize = version === 1 ? 2 : 8
  const code = version === 1 ? i16 : i32

  const dim = Array.from({ length: 8 }, (_, n) => int(o.dim + n * intSize))
  const pixdim = Array.from({ length: 8 }, (_, n) => real(o.pixdim + n * realSize))
  const header: RawNiftiHeader = {
    version,
    format,
    container,
    littleEndian,
    dim,
    datatype: i16(o.datatype),
    pixdim,
    voxOffset: version === 1 ? f32(o.voxOffset) : i64(o.voxOffset, 'vox_offset'),
    sclSlope: real(o.sclSlope),
    sclInter: real(o.sclInter),
    qformCode: code(o.qformCode),
    sformCode: code(o.sformCode),
    quatern: [real(o.quatern), real(o.quatern + realSize), real(o.quatern + 2 * realSize)],
    qoffset: [real(o.quatern + 3 * realSize), real(o.quatern + 4 * realSize), real(o.quatern + 5 * realSize)],
    srow: Array.from({ length: 12 }, (_, n) => real(o.srow + n * realSize)),
    description: cString(bytes, o.descrip, 80),
  }
  // Analyze keeps other things where NIfTI-1 has scaling, codes and transforms (funused, orient, originator…).
  return format === 'analyze' ? { ...header, ...analyzeHasNone } : header
}

const analyzeHasNone = {
  sclSlope: 0,
  sclInter: 0,
  qformCode: 0,
  sformCode: 0,
  quatern: [0, 0, 0],
  qoffset: [0, 0, 0],
  srow: Array<number>(12).fill(0),
} satisfies Partial<RawNiftiHeader>

/** The format the magic names, refusing a magic that does not fit the container. */
function checkMagic(bytes: Uint8Array, version: 1 | 2, container: NiftiContainer, source: string): RawNiftiHeader['format'] {
  const at = version === 1 ? 344 : 4
  const magic = String.fromCharCode(...bytes.subarray(at, at + 3))
  const terminated = bytes[at + 3] === 0
  const single = version === 1 ? 'n+1' : 'n+2'
  const pair = version === 1 ? 'ni1' : 'ni2'
  if (container === 'single' && magic === pair && terminated) {
    throw new InputError(source, `is the header of a .hdr/.img pair (magic "${pair}"); name it .hdr and keep its .img beside it`)
  }
  if (container === 'pair' && magic === single && terminated) {
    throw new InputError(source, `is a .hdr whose magic "${single}" says its voxels follow in the same file; a single-file NIfTI is named .nii`)
  }
  const expected = container === 'single' ? single : pair
  if (magic !== expected || !terminated) {
    // A 348-byte header of a pair without a NIfTI magic is Analyze 7.5, which has none (nibabel reads it so too).
    if (container === 'pair' && version === 1) return 'analyze'
    throw new InputError(source, `not a NIfTI-${version} ${container === 'pair' ? 'pair header' : 'file'}: magic is "${printable(bytes.subarray(at, at + 4))}", expected "${expected}"`)
  }
  // NIfTI-2 follows the magic with \r\n\x1a\n (as PNG does) so a text-mode transfer that rewrote line ends is caught.
  if (version === 2) {
    const tail = bytes.subarray(8, 12)
    if (tail[0] !== 0x0d || tail[1] !== 0x0a || tail[2] !== 0x1a || tail[3] !== 0x0a) {
      throw new InputError(source, 'corrupt NIfTI-2 header: the bytes after the magic are not \\r\\n\\x1a\\n (was the file transferred in text mode?)')
    }
  }
  return 'nifti'
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')
}
