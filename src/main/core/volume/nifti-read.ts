import { readFileSync } from 'node:fs'
import { InputError } from '../../../shared/errors'
import type { StoredDtype, Vec3, Volume, VolumeHeader } from '../../../shared/volume'
import { gunzipBytes, isGzip } from './gunzip'
import { toLabelArray } from './label-values'
import { analyzeAffine, diagonalAffine, quaternToAffine } from './nifti-affine'
import {
  assertLittleEndianHost,
  convertedDtypeByCode,
  dtypeByCode,
  NIFTI1_HEADER_BYTES,
  NIFTI2_HEADER_BYTES,
  unsupportedDtypeNames,
  type ConvertedDtypeInfo,
  type DtypeInfo,
} from './nifti-format'
import { chooseFrame, frameLayout, type FrameChoice, type FrameLayout } from './nifti-frames'
import { parseNiftiHeader, type NiftiContainer, type RawNiftiHeader } from './nifti-header'
import { pairPaths, type PairPaths } from './nifti-pair'
import { convertVoxels, viewVoxels } from './nifti-voxels'
import { applyScaling, scalingApplies } from './scaling'
import { sliceAxisFromAffine } from './slice-axis'

/** A decoded volume plus whether its data memory belongs to us alone (so it may be modified in place). */
interface Decoded {
  volume: Volume
  owned: boolean
  /** The file the voxels came from (a pair's .img), for messages about values. */
  source: string
}

/** Which 3D frame of a 4D+ file to read (default the first); see FrameChoice. */
export type ReadOptions = FrameChoice

/** The bytes of one image: its header and its voxels, from one file or from the two of a .hdr/.img pair. */
interface ImageBytes {
  header: Uint8Array
  /** The bytes vox_offset counts from: the same file as the header, or a pair's .img. */
  data: Uint8Array
  container: NiftiContainer
  headerSource: string
  dataSource: string
  /** Whether `data` is ours to modify (decompressed, or read from disk by us). */
  owned: boolean
  /** Whether `data` was decompressed (messages about its length say so). */
  gz: boolean
}

/**
 * Parses a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz, detected by content) into a Volume with the raw stored
 * values: no scl_slope / scl_inter applied (the header reports them). A 4D+ file gives the frame `options` name.
 *
 * For an uncompressed little-endian file the returned data is a view on `bytes` (no copy), so it shares
 * memory with the caller's buffer; `bytes` itself is never modified.
 */
export function parseNifti(bytes: Uint8Array, source: string, options: ReadOptions = {}): Volume {
  return decodeImage(singleFile(bytes, source, false), options).volume
}

/** Like parseNifti, for the two files of a .hdr/.img pair (NIfTI-1, NIfTI-2 or Analyze 7.5), either gzipped. */
export function parseNiftiPair(header: Uint8Array, image: Uint8Array, paths: PairPaths, options: ReadOptions = {}): Volume {
  return decodeImage(pairFiles(header, image, paths, false), options).volume
}

/**
 * Reads an image: like parseNifti, but applies scl_slope / scl_inter when they change values
 * (slope finite, nonzero and not (1, 0)). Scaled data is Float32Array, or Float64Array when the voxels are
 * held as Int32Array or Float64Array (float32 would round those). Unscaled data keeps the type it is held in.
 * The header still reports the file's stored dtype and scaling.
 */
export function readImage(bytes: Uint8Array, source: string, options: ReadOptions = {}): Volume {
  return scaleImage(decodeImage(singleFile(bytes, source, false), options))
}

/**
 * Reads a label map: whole numbers ≥ 0 as the narrowest of Uint8Array (0..255), Int16Array, Int32Array.
 * Scaling is applied only when it changes values (then values within 1e-3 of an integer are rounded);
 * float-stored labels must be exact whole finite numbers. Otherwise an InputError names the first bad voxel.
 */
export function readLabel(bytes: Uint8Array, source: string, options: ReadOptions = {}): Volume {
  return labelsOf(decodeImage(singleFile(bytes, source, false), options))
}

/** Reads a NIfTI file (or a pair, named by either file) from disk with raw stored values (see parseNifti). */
export function readVolumeFile(path: string, options: ReadOptions = {}): Volume {
  return decodeImage(fromDisk(path), options).volume
}

/** Reads an image file (or pair) from disk, scaled (see readImage). */
export function readImageFile(path: string, options: ReadOptions = {}): Volume {
  return scaleImage(decodeImage(fromDisk(path), options))
}

/** Reads a label file (or pair) from disk (see readLabel). */
export function readLabelFile(path: string, options: ReadOptions = {}): Volume {
  return labelsOf(decodeImage(fromDisk(path), options))
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

/** A file's bytes, decompressed when they are gzip (detected by content, not by name). */
function inflated(input: Uint8Array, source: string): { bytes: Uint8Array; gz: boolean } {
  if (input.length === 0) throw new InputError(source, 'not a NIfTI file: the file is empty')
  return isGzip(input) ? { bytes: gunzipBytes(input, source), gz: true } : { bytes: input, gz: false }
}

function singleFile(input: Uint8Array, source: string, inputOwned: boolean): ImageBytes {
  const { bytes, gz } = inflated(input, source)
  return { header: bytes, data: bytes, container: 'single', headerSource: source, dataSource: source, owned: gz || inputOwned, gz }
}

function pairFiles(headerInput: Uint8Array, imageInput: Uint8Array, paths: PairPaths, inputOwned: boolean): ImageBytes {
  const header = inflated(headerInput, paths.header).bytes
  const image = imageInput.length === 0 ? { bytes: imageInput, gz: false } : inflated(imageInput, paths.image)
  return { header, data: image.bytes, container: 'pair', headerSource: paths.header, dataSource: paths.image, owned: image.gz || inputOwned, gz: image.gz }
}

/** A .nii / .nii.gz file, or the pair a .hdr / .img (optionally .gz) name belongs to. */
function fromDisk(path: string): ImageBytes {
  const pair = pairPaths(path)
  if (!pair) return singleFile(readBytes(path), path, true)
  return pairFiles(readBytes(pair.header), readBytes(pair.image), pair, true)
}

/** The stored type of a datatype code: held as it is, or converted; other codes are refused, naming them. */
function storedTypeOf(datatype: number, source: string): DtypeInfo | ConvertedDtypeInfo {
  const info = dtypeByCode.get(datatype) ?? convertedDtypeByCode.get(datatype)
  if (info) return info
  const name = unsupportedDtypeNames.get(datatype)
  if (name?.startsWith('complex')) {
    throw new InputError(source, `unsupported datatype code ${datatype} (${name}): complex voxels are not read; save their magnitude (or real part) as float32`)
  }
  const supported = [...dtypeByCode.values(), ...convertedDtypeByCode.values()].map((d) => `${d.code} ${d.dtype}`).join(', ')
  throw new InputError(source, `unsupported datatype code ${datatype}${name ? ` (${name})` : ''}; supported: ${supported}`)
}

/** Where the voxels start in the data bytes: after the header in a single file, anywhere in a pair's .img. */
function voxOffsetOf(raw: RawNiftiHeader, image: ImageBytes): number {
  const voxOffset = raw.voxOffset
  const least = image.container === 'pair' ? 0 : raw.version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES
  if (!Number.isInteger(voxOffset) || voxOffset < least) {
    throw new InputError(image.headerSource, `corrupt header: vox_offset is ${voxOffset}, expected a whole number ≥ ${least}`)
  }
  if (voxOffset > image.data.length) {
    throw new InputError(image.dataSource, `vox_offset ${voxOffset} is beyond the end of the ${image.gz ? 'decompressed ' : ''}file (${image.data.length} bytes)`)
  }
  return voxOffset
}

/**
 * Parses the header, checks that the data holds exactly what it describes (before anything is allocated, so a
 * corrupt header cannot ask for more memory than the file's size), and decodes the chosen 3D frame.
 */
function decodeImage(image: ImageBytes, options: ReadOptions): Decoded {
  assertLittleEndianHost()
  const raw = parseNiftiHeader(image.header, image.headerSource, image.container)
  const layout = frameLayout(raw, image.headerSource)
  const type = storedTypeOf(raw.datatype, image.headerSource)
  const voxOffset = voxOffsetOf(raw, image)
  const perFrame = layout.dims[0] * layout.dims[1] * layout.dims[2]
  const expected = perFrame * layout.frames * layout.channels * type.bytes
  const available = image.data.length - voxOffset
  // Exact match required: extra bytes as much as missing ones mean the dims or datatype are not what the data is.
  if (available !== expected) {
    throw new InputError(
      image.dataSource,
      `the header says ${layout.shape.join('×')} ${type.dtype} voxels = ${expected} bytes of data, but the ${image.gz ? 'decompressed ' : ''}file has ${available} bytes after vox_offset ${voxOffset}`,
    )
  }
  const chosen = chooseFrame(layout, options, image.headerSource)
  const span = {
    bytes: image.data,
    start: voxOffset + chosen.block * perFrame * type.bytes,
    count: perFrame,
    littleEndian: raw.littleEndian,
    owned: image.owned,
    source: image.dataSource,
  }
  const voxels = 'ctor' in type ? viewVoxels(span, type) : convertVoxels(span, type)
  const header: VolumeHeader = {
    ...headerOf(raw, layout, type.dtype),
    pair: image.container === 'pair',
    frame: chosen.frame,
    channel: chosen.channel,
  }
  return { volume: { header, data: voxels.array }, owned: voxels.owned, source: image.dataSource }
}

/** Positive voxel sizes: |pixdim|, with 0 or non-finite (seen in 2D files' unused third pixdim) read as 1. */
function spacingOf(raw: RawNiftiHeader): Vec3 {
  const s = (n: number) => {
    const v = Math.abs(raw.pixdim[n] as number)
    return v > 0 && Number.isFinite(v) ? v : 1
  }
  return [s(1), s(2), s(3)]
}

/**
 * Analyze: from pixdim as nibabel's AnalyzeHeader reads it. NIfTI: sform if its code is set (and it is finite),
 * else qform likewise, else scaling by spacing (the standard's method 1).
 */
function affineOf(raw: RawNiftiHeader, layout: FrameLayout, spacing: Vec3): Pick<VolumeHeader, 'affine' | 'affineSource'> {
  if (raw.format === 'analyze') return { affine: analyzeAffine(layout.shape, raw.pixdim.slice(1, layout.shape.length + 1)), affineSource: 'analyze' }
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

function headerOf(raw: RawNiftiHeader, layout: FrameLayout, storedDtype: StoredDtype): VolumeHeader {
  const spacing = spacingOf(raw)
  const { affine, affineSource } = affineOf(raw, layout, spacing)
  // Scaling is for numbers: nibabel applies none to RGB24, and neither do we. Non-finite values would fail the
  // header schema; the standard reads a NaN slope as "no scaling".
  const scaled = storedDtype !== 'rgb24'
  return {
    dims: [layout.dims[0], layout.dims[1], layout.dims[2]],
    spacing,
    affine,
    affineSource,
    storedDtype,
    niftiVersion: raw.version,
    format: raw.format,
    littleEndian: raw.littleEndian,
    sclSlope: scaled && Number.isFinite(raw.sclSlope) ? raw.sclSlope : 0,
    sclInter: scaled && Number.isFinite(raw.sclInter) ? raw.sclInter : 0,
    sliceAxis: sliceAxisFromAffine(affine),
    description: raw.description,
    frames: layout.frames,
    channels: layout.channels,
  }
}
