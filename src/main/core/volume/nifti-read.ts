import { readFileSync } from 'node:fs'
import { InputError } from '../../../shared/errors'
import type { Vec3, Volume, VolumeHeader, VoxelArray } from '../../../shared/volume'
import { gunzipBytes, isGzip } from './gunzip'
import { toLabelArray } from './label-values'
import { diagonalAffine, quaternToAffine } from './nifti-affine'
import { assertLittleEndianHost, dtypeByCode, NIFTI1_HEADER_BYTES, NIFTI2_HEADER_BYTES, unsupportedDtypeNames, type DtypeInfo } from './nifti-format'
import { parseNiftiHeader, type RawNiftiHeader } from './nifti-header'
import { applyScaling, scalingApplies } from './scaling'
import { sliceAxisFromAffine, type Dims } from './slice-axis'

/** A decoded volume plus whether its data memory belongs to us alone (so it may be modified in place). */
interface Decoded {
  volume: Volume
  owned: boolean
  source: string
}

/**
 * Parses a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz, detected by content) into a Volume with the raw stored
 * values: no scl_slope / scl_inter applied (the header reports them).
 *
 * For an uncompressed little-endian file the returned data is a view on `bytes` (no copy), so it shares
 * memory with the caller's buffer; `bytes` itself is never modified.
 */
export function parseNifti(bytes: Uint8Array, source: string): Volume {
  return decodeNifti(bytes, source, false).volume
}

/**
 * Reads an image: like parseNifti, but applies scl_slope / scl_inter when they change values
 * (slope finite, nonzero and not (1, 0)). Scaled data is Float32Array, or Float64Array when the stored type
 * is int32 or float64 (float32 would round those). Unscaled data keeps its stored type.
 * The header still reports the file's stored dtype and scaling.
 */
export function readImage(bytes: Uint8Array, source: string): Volume {
  return scaleImage(decodeNifti(bytes, source, false))
}

/**
 * Reads a label map: whole numbers ≥ 0 as the narrowest of Uint8Array (0..255), Int16Array, Int32Array.
 * Scaling is applied only when it changes values (then values within 1e-3 of an integer are rounded);
 * float-stored labels must be exact whole finite numbers. Otherwise an InputError names the first bad voxel.
 */
export function readLabel(bytes: Uint8Array, source: string): Volume {
  return labelsOf(decodeNifti(bytes, source, false))
}

/** Reads a NIfTI file from disk with raw stored values (see parseNifti). */
export function readVolumeFile(path: string): Volume {
  return decodeNifti(readBytes(path), path, true).volume
}

/** Reads a NIfTI image file from disk, scaled (see readImage). */
export function readImageFile(path: string): Volume {
  return scaleImage(decodeNifti(readBytes(path), path, true))
}

/** Reads a NIfTI label file from disk (see readLabel). */
export function readLabelFile(path: string): Volume {
  return labelsOf(decodeNifti(readBytes(path), path, true))
}

function scaleImage({ volume, owned }: Decoded): Volume {
  const { sclSlope, sclInter } = volume.header
  if (!scalingApplies(sclSlope, sclInter)) return volume
  return { header: volume.header, data: applyScaling(volume.data, sclSlope, sclInter, owned) }
}

function labelsOf({ volume, source }: Decoded): Volume {
  const { sclSlope: slope, sclInter: inter, dims } = volume.header
  const scale = scalingApplies(slope, inter) ? { slope, inter } : undefined
  return { header: volume.header, data: toLabelArray(volume.data, dims, scale, source) }
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const problem =
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a NIfTI file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${(error as Error).message})`
    throw new InputError(path, problem)
  }
}

/** Decompresses if needed, parses the header, validates sizes and returns the voxels in host byte order. */
function decodeNifti(input: Uint8Array, source: string, inputOwned: boolean): Decoded {
  assertLittleEndianHost()
  if (input.length === 0) throw new InputError(source, 'not a NIfTI file: the file is empty')
  const gz = isGzip(input)
  const bytes = gz ? gunzipBytes(input, source) : input
  const owned = gz || inputOwned
  const raw = parseNiftiHeader(bytes, source)
  const dims = dimsOf(raw, source)
  const info = dtypeByCode.get(raw.datatype)
  if (!info) {
    const name = unsupportedDtypeNames.get(raw.datatype)
    throw new InputError(source, `unsupported datatype code ${raw.datatype}${name ? ` (${name})` : ''}; supported: ${[...dtypeByCode.values()].map((d) => `${d.code} ${d.dtype}`).join(', ')}`)
  }
  const headerBytes = raw.version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES
  const voxOffset = raw.voxOffset
  if (!Number.isInteger(voxOffset) || voxOffset < headerBytes) {
    throw new InputError(source, `corrupt header: vox_offset is ${voxOffset}, expected a whole number ≥ ${headerBytes}`)
  }
  if (voxOffset > bytes.length) {
    throw new InputError(source, `vox_offset ${voxOffset} is beyond the end of the ${gz ? 'decompressed ' : ''}file (${bytes.length} bytes)`)
  }
  const voxels = dims[0] * dims[1] * dims[2]
  const expected = voxels * info.bytes
  const available = bytes.length - voxOffset
  // Exact match required: extra bytes as much as missing ones mean the dims or datatype are not what the data is.
  if (available !== expected) {
    throw new InputError(
      source,
      `the header says ${dims.join('×')} ${info.dtype} voxels = ${expected} bytes of data, but the ${gz ? 'decompressed ' : ''}file has ${available} bytes after vox_offset ${voxOffset}`,
    )
  }
  const data = voxelView(bytes, voxOffset, voxels, info, raw.littleEndian, owned)
  return { volume: { header: headerOf(raw, dims, info), data: data.array }, owned: data.owned, source }
}

/** The 3D shape: missing trailing dims are 1; a 4th..7th dim other than 1 (several frames) is refused. */
function dimsOf(raw: RawNiftiHeader, source: string): Dims {
  const ndim = raw.dim[0] as number
  if (!(ndim >= 1 && ndim <= 7)) throw new InputError(source, `corrupt header: dim[0] is ${ndim}, expected 1 to 7`)
  const dim = (n: number) => (n <= ndim ? (raw.dim[n] as number) : 1)
  for (let n = 1; n <= ndim; n++) {
    if (dim(n) < 1) throw new InputError(source, `corrupt header: dim[${n}] is ${dim(n)}, every dimension must be at least 1`)
  }
  let frames = 1
  for (let n = 4; n <= ndim; n++) frames *= dim(n)
  if (frames > 1) {
    const shape = raw.dim.slice(1, ndim + 1).join('×')
    throw new InputError(source, `has ${frames} frames (shape ${shape}); only 3D volumes are supported`)
  }
  return [dim(1), dim(2), dim(3)]
}

/**
 * The voxels as a typed array in host (little-endian) order. A view on `bytes` when the data start is aligned
 * for the type, else one copy; big-endian data is byte-swapped in place, after copying first if `bytes` is the
 * caller's (we never modify a buffer we were handed).
 */
function voxelView(bytes: Uint8Array, voxOffset: number, voxels: number, info: DtypeInfo, littleEndian: boolean, owned: boolean): { array: VoxelArray; owned: boolean } {
  const start = bytes.byteOffset + voxOffset
  const mustSwap = !littleEndian && info.bytes > 1
  let array: VoxelArray
  let copied = false
  if (start % info.bytes === 0 && (owned || !mustSwap)) {
    array = new info.ctor(bytes.buffer, start, voxels)
  } else {
    array = info.alloc(voxels)
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes.subarray(voxOffset, voxOffset + voxels * info.bytes))
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

/** Positive voxel sizes: |pixdim|, with 0 or non-finite (seen in 2D files' unused third pixdim) read as 1. */
function spacingOf(raw: RawNiftiHeader): Vec3 {
  const s = (n: number) => {
    const v = Math.abs(raw.pixdim[n] as number)
    return v > 0 && Number.isFinite(v) ? v : 1
  }
  return [s(1), s(2), s(3)]
}

/** sform if its code is set (and it is finite), else qform likewise, else scaling by spacing. */
function affineOf(raw: RawNiftiHeader, spacing: Vec3): Pick<VolumeHeader, 'affine' | 'affineSource'> {
  if (raw.sformCode > 0) {
    const affine = [...raw.srow, 0, 0, 0, 1]
    if (affine.every(Number.isFinite)) return { affine, affineSource: 'sform' }
  }
  if (raw.qformCode > 0) {
    const [b, c, d] = raw.quatern
    const qfac = (raw.pixdim[0] as number) < 0 ? -1 : 1
    const affine = quaternToAffine({ b, c, d, offset: raw.qoffset, qfac }, spacing)
    if (affine.every(Number.isFinite)) return { affine, affineSource: 'qform' }
  }
  return { affine: diagonalAffine(spacing), affineSource: 'none' }
}

function headerOf(raw: RawNiftiHeader, dims: Dims, info: DtypeInfo): VolumeHeader {
  const spacing = spacingOf(raw)
  const { affine, affineSource } = affineOf(raw, spacing)
  return {
    dims: [dims[0], dims[1], dims[2]],
    spacing,
    affine,
    affineSource,
    storedDtype: info.dtype,
    niftiVersion: raw.version,
    littleEndian: raw.littleEndian,
    // Non-finite values would fail the header schema; the standard reads a NaN slope as "no scaling".
    sclSlope: Number.isFinite(raw.sclSlope) ? raw.sclSlope : 0,
    sclInter: Number.isFinite(raw.sclInter) ? raw.sclInter : 0,
    sliceAxis: sliceAxisFromAffine(affine),
    description: raw.description,
  }
}
