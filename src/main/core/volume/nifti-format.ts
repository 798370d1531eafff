import { endianness } from 'node:os'
import type { StoredDtype, Volume, VoxelArray, VoxelDtype } from '../../../shared/volume'

/** Facts about one voxel dtype as NIfTI stores it. */
export interface DtypeInfo {
  dtype: VoxelDtype
  /** NIfTI datatype code. */
  code: number
  bytes: number
  ctor: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => VoxelArray
  alloc: (length: number) => VoxelArray
}

/** The dtypes the workbench handles, keyed by NIfTI datatype code. */
export const dtypeByCode: ReadonlyMap<number, DtypeInfo> = new Map(
  (
    [
      ['uint8', 2, 1, Uint8Array],
      ['int16', 4, 2, Int16Array],
      ['int32', 8, 4, Int32Array],
      ['float32', 16, 4, Float32Array],
      ['float64', 64, 8, Float64Array],
      ['int8', 256, 1, Int8Array],
      ['uint16', 512, 2, Uint16Array],
    ] as const
  ).map(([dtype, code, bytes, ctor]) => [
    code,
    {
      dtype,
      code,
      bytes,
      ctor: ctor as DtypeInfo['ctor'],
      alloc: (n: number) => new ctor(n),
    },
  ]),
)

/** A stored type read by conversion (see StoredDtype): its voxels are not viewed as they are. */
export interface ConvertedDtypeInfo {
  dtype: Exclude<StoredDtype, VoxelDtype>
  code: number
  bytes: number
}

/** The stored types read by conversion, keyed by NIfTI datatype code. */
export const convertedDtypeByCode: ReadonlyMap<number, ConvertedDtypeInfo> = new Map(
  (
    [
      ['rgb24', 128, 3],
      ['uint32', 768, 4],
      ['int64', 1024, 8],
      ['uint64', 1280, 8],
    ] as const
  ).map(([dtype, code, bytes]) => [code, { dtype, code, bytes }]),
)

/** Names of NIfTI datatype codes the workbench does not read, so an error can say what the file holds. */
export const unsupportedDtypeNames: ReadonlyMap<number, string> = new Map([
  [0, 'unknown'],
  [1, 'binary'],
  [32, 'complex64'],
  [1536, 'float128'],
  [1792, 'complex128'],
  [2048, 'complex256'],
  [2304, 'RGBA32'],
])

/** The DtypeInfo of a typed array (by its constructor). */
export function dtypeOfArray(data: VoxelArray): DtypeInfo {
  for (const info of dtypeByCode.values()) if (data instanceof (info.ctor as unknown as typeof Uint8Array)) return info
  throw new TypeError(`not a voxel array: ${Object.prototype.toString.call(data)}`)
}

/** A volume's stored dtype when it is held as it is, else (read by conversion) the dtype of the array it is held in. */
export function heldDtype(volume: Volume): VoxelDtype {
  const stored = volume.header.storedDtype
  return convertedDtypes.has(stored) ? dtypeOfArray(volume.data).dtype : (stored as VoxelDtype)
}

const convertedDtypes: ReadonlySet<StoredDtype> = new Set([...convertedDtypeByCode.values()].map((d) => d.dtype))

/** Header sizes (sizeof_hdr) of the two NIfTI versions. */
export const NIFTI1_HEADER_BYTES = 348
export const NIFTI2_HEADER_BYTES = 540
/** NIfTI-1 single-file data start: header plus the 4-byte extension flag. */
export const NIFTI1_VOX_OFFSET = 352

/**
 * Typed arrays use the host's byte order and the reader views file bytes through them, treating
 * "little-endian" as "native". Every platform Node supports for this app (x64, arm64) is little-endian;
 * this guard turns a silent misread on an exotic host into a clear failure.
 */
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new Error('the NIfTI reader and writer assume a little-endian host')
}
