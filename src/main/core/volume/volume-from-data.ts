import type { Axis, Vec3, Volume, VolumeHeader, VoxelArray } from '../../../shared/volume'
import { diagonalAffine } from './nifti-affine'
import { dtypeOfArray } from './nifti-format'

export interface VolumeFromDataOptions {
  /** Voxel size in mm (default 1 × 1 × 1). */
  spacing?: Vec3
  /** 4×4 row-major voxel-to-world transform (default: diag(spacing)). */
  affine?: number[]
  affineSource?: VolumeHeader['affineSource']
  /** The slice axis (default 2, what the identity affine says). */
  sliceAxis?: Axis
  description?: string
}

/**
 * A Volume around voxels made in memory (synthetic data, tests, benchmarks): a NIfTI-1 little-endian header
 * with no scaling, the stored dtype taken from the typed array, and a diagonal affine unless one is given.
 */
export function volumeFromData(dims: readonly [number, number, number], data: VoxelArray, options: VolumeFromDataOptions = {}): Volume {
  const voxels = dims[0] * dims[1] * dims[2]
  if (data.length !== voxels) throw new RangeError(`dims ${dims.join('×')} need ${voxels} voxels, the array holds ${data.length}`)
  const spacing = options.spacing ?? [1, 1, 1]
  return {
    header: {
      dims: [dims[0], dims[1], dims[2]],
      spacing,
      affine: options.affine ?? diagonalAffine(spacing),
      affineSource: options.affineSource ?? 'sform',
      storedDtype: dtypeOfArray(data).dtype,
      niftiVersion: 1,
      littleEndian: true,
      sclSlope: 1,
      sclInter: 0,
      sliceAxis: options.sliceAxis ?? 2,
      description: options.description ?? '',
    },
    data,
  }
}
