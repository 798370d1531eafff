// Test-only NIfTI builder: writes NIfTI-1 or NIfTI-2, either byte order, with any header field set by hand
// (including wrong ones), so the reader can be tested on files the production writer never produces.
// Offsets are written out here independently of nifti-header.ts, so a wrong offset there cannot hide.
import { gzipSync } from 'node:zlib'
import type { VoxelArray } from '../../../shared/volume'

/** Header fields of a hand-built test file; anything left out gets a plain, valid default. */
export interface TestNiftiSpec {
  version?: 1 | 2
  littleEndian?: boolean
  /** Full dim[0..7]; default [3, …shape, 1, 1, 1, 1]. */
  dim?: number[]
  shape?: [number, number, number]
  /** NIfTI datatype code; default from the data's typed array. */
  datatype?: number
  pixdim?: number[]
  voxOffset?: number
  sclSlope?: number
  sclInter?: number
  qformCode?: number
  sformCode?: number
  quatern?: [number, number, number]
  qoffset?: [number, number, number]
  srow?: number[]
  description?: string
  /** Overrides the magic (4 bytes for NIfTI-1, first 4 of 8 for NIfTI-2). */
  magic?: string
  sizeofHdr?: number
  /** Raw voxel bytes to place at vox_offset instead of the encoded data (for length errors). */
  rawData?: Uint8Array
  /** Cut the (uncompressed) file to this many bytes. */
  truncateTo?: number
  gzip?: boolean
}

const codeOf = (data: VoxelArray): number =>
  data instanceof Uint8Array ? 2
  : data instanceof Int16Array ? 4
  : data instanceof Int32Array ? 8
  : data instanceof Float32Array ? 16
  : data instanceof Float64Array ? 64
  : data instanceof Int8Array ? 256
  : 512

/** Builds the bytes of a NIfTI file holding `data` as described by `spec`. */
export function buildTestNifti(data: VoxelArray, spec: TestNiftiSpec = {}): Uint8Array {
  const version = spec.version ?? 1
  const le = spec.littleEndian ?? true
  const hdrSize = version === 1 ? 348 : 540
  const voxOffset = spec.voxOffset ?? (version === 1 ? 352 : 544)
  const shape = spec.shape ?? [data.length, 1, 1]
  const dim = spec.dim ?? [3, ...shape, 1, 1, 1, 1]
  const pixdim = spec.pixdim ?? [1, 1, 1, 1, 1, 1, 1, 1]
  const elem = data.BYTES_PER_ELEMENT
  // Voxel bytes in the requested byte order, via DataView so this does not depend on the host order.
  let payload = spec.rawData
  if (!payload) {
    payload = new Uint8Array(data.length * elem)
    const dv = new DataView(payload.buffer)
    for (let n = 0; n < data.length; n++) {
      const v = data[n] as number
      const at = n * elem
      if (data instanceof Uint8Array) dv.setUint8(at, v)
      else if (data instanceof Int8Array) dv.setInt8(at, v)
      else if (data instanceof Int16Array) dv.setInt16(at, v, le)
      else if (data instanceof Uint16Array) dv.setUint16(at, v, le)
      else if (data instanceof Int32Array) dv.setInt32(at, v, le)
      else if (data instanceof Float32Array) dv.setFloat32(at, v, le)
      else dv.setFloat64(at, v, le)
    }
  }
  const out = new Uint8Array(Math.max(voxOffset, hdrSize) + payload.length)
  const v = new DataView(out.buffer)
  const ascii = (at: number, s: string) => {
    for (let n = 0; n < s.length; n++) out[at + n] = s.charCodeAt(n)
  }
  v.setInt32(0, spec.sizeofHdr ?? hdrSize, le)
  const q = spec.quatern ?? [0, 0, 0]
  const qo = spec.qoffset ?? [0, 0, 0]
  const srow = spec.srow ?? [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
  if (version === 1) {
    dim.forEach((d, n) => v.setInt16(40 + 2 * n, d, le))
    v.setInt16(70, spec.datatype ?? codeOf(data), le)
    v.setInt16(72, elem * 8, le)
    pixdim.forEach((p, n) => v.setFloat32(76 + 4 * n, p, le))
    v.setFloat32(108, voxOffset, le)
    v.setFloat32(112, spec.sclSlope ?? 0, le)
    v.setFloat32(116, spec.sclInter ?? 0, le)
    ascii(148, spec.description ?? '')
    v.setInt16(252, spec.qformCode ?? 0, le)
    v.setInt16(254, spec.sformCode ?? 0, le)
    ;[...q, ...qo].forEach((x, n) => v.setFloat32(256 + 4 * n, x, le))
    srow.forEach((x, n) => v.setFloat32(280 + 4 * n, x, le))
    ascii(344, spec.magic ?? 'n+1\0')
  } else {
    ascii(4, spec.magic ?? 'n+2\0')
    out.set([0x0d, 0x0a, 0x1a, 0x0a], 8)
    v.setInt16(12, spec.datatype ?? codeOf(data), le)
    v.setInt16(14, elem * 8, le)
    dim.forEach((d, n) => v.setBigInt64(16 + 8 * n, BigInt(d), le))
    pixdim.forEach((p, n) => v.setFloat64(104 + 8 * n, p, le))
    v.setBigInt64(168, BigInt(voxOffset), le)
    v.setFloat64(176, spec.sclSlope ?? 0, le)
    v.setFloat64(184, spec.sclInter ?? 0, le)
    ascii(240, spec.description ?? '')
    v.setInt32(344, spec.qformCode ?? 0, le)
    v.setInt32(348, spec.sformCode ?? 0, le)
    ;[...q, ...qo].forEach((x, n) => v.setFloat64(352 + 8 * n, x, le))
    srow.forEach((x, n) => v.setFloat64(400 + 8 * n, x, le))
  }
  out.set(payload, Math.max(voxOffset, hdrSize))
  const file = spec.truncateTo === undefined ? out : out.subarray(0, spec.truncateTo)
  return spec.gzip ? gzipSync(file) : file
}

/** A test .hdr/.img pair: NIfTI-1/2 (magic ni1 / ni2) or, with `analyze`, Analyze 7.5 (no magic). */
export function buildTestPair(data: VoxelArray, spec: TestNiftiSpec & { analyze?: boolean } = {}): { header: Uint8Array; image: Uint8Array } {
  const version = spec.version ?? 1
  const hdrSize = version === 1 ? 348 : 540
  const voxOffset = spec.voxOffset ?? 0
  const magic = spec.magic ?? (spec.analyze ? '\0\0\0\0' : version === 1 ? 'ni1\0' : 'ni2\0')
  // The single-file builder puts the voxels right after the header; a pair's .img has them at vox_offset.
  const whole = buildTestNifti(data, { ...spec, magic, voxOffset, gzip: false, truncateTo: undefined })
  const header = whole.slice(0, hdrSize)
  const image = new Uint8Array(voxOffset + whole.length - hdrSize)
  image.set(whole.subarray(hdrSize), voxOffset)
  return spec.gzip ? { header: gzipSync(header), image: gzipSync(image) } : { header, image }
}
