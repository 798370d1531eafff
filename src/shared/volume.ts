import { z } from 'zod'

/** Voxel data types the workbench reads and writes (NIfTI datatype codes 2, 4, 8, 16, 64, 256, 512). */
export const voxelDtypes = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'float32', 'float64'] as const
export const VoxelDtypeSchema = z.enum(voxelDtypes)
export type VoxelDtype = z.infer<typeof VoxelDtypeSchema>

/** The typed arrays that hold voxels, one per VoxelDtype. */
export type VoxelArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array

/**
 * Voxel types a file may store: the VoxelDtypes, plus those read by conversion — uint32, int64 and uint64 as
 * Int32Array when every value fits, else Float64Array (exact up to 2^53; larger values are refused) — and rgb24
 * as its luminance (Float32Array). NIfTI codes 768, 1024, 1280, 128.
 */
export const storedDtypes = [...voxelDtypes, 'uint32', 'int64', 'uint64', 'rgb24'] as const
export const StoredDtypeSchema = z.enum(storedDtypes)
export type StoredDtype = z.infer<typeof StoredDtypeSchema>

/** Index of an array axis of a 3D volume: 0 = i, 1 = j, 2 = k. */
export type Axis = 0 | 1 | 2
export const AxisSchema = z.union([z.literal(0), z.literal(1), z.literal(2)])

export const Vec3Schema = z.tuple([z.number(), z.number(), z.number()])
export type Vec3 = z.infer<typeof Vec3Schema>

/** Header facts of a volume file, as `workbench info file.nii.gz` reports them. */
export const VolumeHeaderSchema = z.object({
  /** Array shape (i, j, k) of the one 3D frame read (see frames / channels). */
  dims: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  /** Voxel size in mm along i, j, k. */
  spacing: Vec3Schema,
  /**
   * Voxel-to-world (RAS+ mm) transform, 4×4 row-major: sform if set, else qform, else scaling by spacing; for
   * Analyze ('analyze'), from pixdim as nibabel's AnalyzeHeader reads it (x flipped, origin at the centre).
   */
  affine: z.array(z.number()).length(16),
  affineSource: z.enum(['sform', 'qform', 'none', 'analyze']),
  /** The dtype stored in the file. */
  storedDtype: StoredDtypeSchema,
  /** 1 also for Analyze 7.5, the layout NIfTI-1 extends. */
  niftiVersion: z.union([z.literal(1), z.literal(2)]),
  /** 'analyze' for an Analyze 7.5 header (.hdr/.img); absent means NIfTI. */
  format: z.enum(['nifti', 'analyze']).optional(),
  /** True when header and voxels came from a .hdr/.img pair. */
  pair: z.boolean().optional(),
  /** 3D frames the file holds along dim[4] (time) and along dims 5–7 (channels: vector components); absent means 1. */
  frames: z.number().int().positive().optional(),
  channels: z.number().int().positive().optional(),
  /** The frame and channel these voxels are (0-based); absent means 0. */
  frame: z.number().int().min(0).optional(),
  channel: z.number().int().min(0).optional(),
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
