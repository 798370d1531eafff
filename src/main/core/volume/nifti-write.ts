import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { InputError } from '../../../shared/errors'
import { niftiMaxExtent } from '../../../shared/limits'
import type { Volume } from '../../../shared/volume'
import { affineToQuatern } from './nifti-affine'
import { assertLittleEndianHost, dtypeOfArray, NIFTI1_HEADER_BYTES, NIFTI1_VOX_OFFSET } from './nifti-format'

/** Options of encodeNifti. */
export interface EncodeOptions {
  /** Gzip the result (a .nii.gz); default true. */
  gzip?: boolean
  /** zlib level 0–9 when gzipping; default 6 (zlib's own default: a fair size/speed balance). */
  level?: number
}

const NIFTI_XFORM_SCANNER_ANAT = 1
const NIFTI_UNITS_MM = 2
const textEncoder = new TextEncoder()

/**
 * Encodes a volume as a single-file NIfTI-1, little-endian (.nii bytes, gzipped unless `gzip: false`).
 *
 * - datatype and bitpix follow the typed array, not header.storedDtype (the array is what is written);
 * - the data is written as held in memory, so scl_slope = 1, scl_inter = 0;
 * - sform = the affine exactly; qform = the nearest rotation + spacing + offset, with qfac = −1 for a
 *   negative determinant; both codes 1 (scanner). Even when affineSource was 'none' the affine is written
 *   with codes 1: the workbench displayed and processed the volume with that affine (diag(spacing)), and
 *   other tools would otherwise each invent their own fallback (nibabel centres and flips x, for example);
 * - pixdim[1..3] = header.spacing, so spacing round-trips even if it disagrees with the affine's columns;
 * - vox_offset 352: the 348-byte header plus 4 zero bytes saying "no extensions".
 */
export function encodeNifti(volume: Volume, options: EncodeOptions = {}): Uint8Array {
  assertLittleEndianHost()
  const { header, data } = volume
  const [nx, ny, nz] = header.dims
  if (nx * ny * nz !== data.length) {
    throw new RangeError(`volume dims ${header.dims.join('×')} need ${nx * ny * nz} voxels but the data has ${data.length}`)
  }
  if (header.dims.some((d) => d > niftiMaxExtent)) throw new RangeError(`dims ${header.dims.join('×')} exceed NIfTI-1's limit of ${niftiMaxExtent} per axis`)
  if (header.affine.length !== 16) throw new RangeError(`the affine has ${header.affine.length} numbers, expected 16`)
  const info = dtypeOfArray(data)
  const out = new Uint8Array(NIFTI1_VOX_OFFSET + data.byteLength)
  const view = new DataView(out.buffer)
  const i16 = (at: number, v: number) => view.setInt16(at, v, true)
  const f32 = (at: number, v: number) => view.setFloat32(at, v, true)

  const q = affineToQuatern(header.affine)
  view.setInt32(0, NIFTI1_HEADER_BYTES, true)
  const dim = [3, nx, ny, nz, 1, 1, 1, 1]
  dim.forEach((v, n) => i16(40 + 2 * n, v))
  i16(70, info.code)
  i16(72, info.bytes * 8)
  const pixdim = [q.qfac, header.spacing[0], header.spacing[1], header.spacing[2], 1, 1, 1, 1]
  pixdim.forEach((v, n) => f32(76 + 4 * n, v))
  f32(108, NIFTI1_VOX_OFFSET)
  f32(112, 1)
  f32(116, 0)
  out[123] = NIFTI_UNITS_MM
  out.set(descriptionBytes(header.description), 148)
  i16(252, NIFTI_XFORM_SCANNER_ANAT)
  i16(254, NIFTI_XFORM_SCANNER_ANAT)
  ;[q.b, q.c, q.d, ...q.offset].forEach((v, n) => f32(256 + 4 * n, v))
  for (let n = 0; n < 12; n++) f32(280 + 4 * n, header.affine[n] as number)
  out.set([0x6e, 0x2b, 0x31, 0], 344) // "n+1\0": header and data in one file
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), NIFTI1_VOX_OFFSET)
  return options.gzip === false ? out : gzipSync(out, { level: options.level ?? 6 })
}

/** descrip is 80 bytes, NUL-terminated: UTF-8, cut at a character boundary to fit 79. */
function descriptionBytes(text: string): Uint8Array {
  let bytes = textEncoder.encode(text)
  if (bytes.length <= 79) return bytes
  let end = 79
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end-- // don't split a multi-byte character
  bytes = bytes.subarray(0, end)
  return bytes
}

/**
 * Writes a volume to `path` as NIfTI-1 (gzipped when the path ends in .gz). Writes a temporary file and
 * renames it, so a crash or full disk never leaves a half-written volume under the real name.
 */
export function writeNiftiFile(path: string, volume: Volume, options: Omit<EncodeOptions, 'gzip'> = {}): void {
  const bytes = encodeNifti(volume, { ...options, gzip: path.toLowerCase().endsWith('.gz') })
  const temp = `${path}.${process.pid}.partial`
  try {
    writeFileSync(temp, bytes)
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw new InputError(path, `cannot be written (${(error as Error).message})`)
  }
}
