import { z } from 'zod'

/** Voxel data types the workbench reads and writes (NIfTI datatype codes 2, 4, 8, 16, 64, 256, 512). */
export const voxelDtypes = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'float32', 'float64'] as const
export const VoxelDtypeSchema = z.enum(voxelDtypes)
export type VoxelDtype = z.infer<typeof VoxelDtypeSchema>

/** The typed arrays that hold voxels, one per VoxelDtype. */
export type VoxelArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array

/** Index of an array axis of a 3D volume: 0 = i, 1 = j, 2 = k. */
export type Axis = 0 | 1 | 2
export const AxisSchema = z.union([z.literal(0), z.literal(1), z.literal(2)])

export const Vec3Schema = z.tuple([z.number(), z.number(), z.number()])
export type Vec3 = z.infer<typeof Vec3Schema>

/** Header facts of a volume file, as `workbench info file.nii.gz` reports them. */
export const VolumeHeaderSchema = z.object({
  /** Array shape (i, j, k); a 4D file with one frame counts as 3D. */
  dims: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  /** Voxel size in mm along i, j, k. */
  spacing: Vec3Schema,
  /** Voxel-to-world (RAS+ mm) transform, 4×4 row-major: sform if set, else qform, else scaling by spacing. */
  affine: z.array(z.number()).length(16),
  affineSource: z.enum(['sform', 'qform', 'none']),
  /** The dtype stored in the file. */
  storedDtype: VoxelDtypeSchema,
  niftiVersion: z.union([z.literal(1), z.literal(2)]),
  littleEndian: z.boolean(),
  sclSlope: z.number(),
  sclInter: z.number(),
  /** The array axis the affine says runs superior–inferior (falls back to 2). */
  sliceAxis: AxisSchema,
  description: z.string(),
})
export type VolumeHeader = z.infer<typeof VolumeHeaderSchema>

/** A volume in memory: its header and its voxels in i-fastest (Fortran) order, as NIfTI stores them. */
export interface Volume {
  header: VolumeHeader
  data: VoxelArray
}
