import { z } from 'zod'
import { spacingRangeMm } from './limits'
import { AxisSchema, Vec3Schema, VoxelDtypeSchema } from './volume'

export const subsets = ['train', 'val', 'test'] as const
export const SubsetSchema = z.enum(subsets)
export type Subset = z.infer<typeof SubsetSchema>

/** Fractions of volumes in train / val / test; they must sum to 1. */
export const SplitFractionsSchema = z
  .object({ train: z.number().min(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) })
  .refine((f) => Math.abs(f.train + f.val + f.test - 1) < 1e-6, { message: 'train + val + test must sum to 1' })
export type SplitFractions = z.infer<typeof SplitFractionsSchema>
/** The paper's split, roughly 75 / 8 / 17 %. */
export const defaultSplitFractions: SplitFractions = { train: 0.75, val: 0.08, test: 0.17 }

export const datasetLayouts = ['msd', 'paired'] as const
export const DatasetLayoutSchema = z.enum(datasetLayouts)

/** A target voxel size in mm along one axis. */
const TargetSpacingSchema = z
  .number()
  .min(spacingRangeMm.min, `a voxel size is at least ${spacingRangeMm.min} mm`)
  .max(spacingRangeMm.max, `a voxel size is at most ${spacingRangeMm.max} mm`)

/**
 * Optional resampling / cropping applied to every pair at import. How large the shape may be depends on the
 * machine's memory: the import checks it (shared/limits.ts) before it allocates.
 */
export const ImportPreprocessingSchema = z.strictObject({
  targetSpacing: z.tuple([TargetSpacingSchema, TargetSpacingSchema, TargetSpacingSchema]).optional(),
  targetShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).optional(),
  /**
   * The 3D frame taken from 4D+ files (along dim 4) and the channel (along dims 5–7: vector components); default 0.
   * Recorded with the dataset; a frame or channel other than 0 is written to the workspace as 3D files, as
   * resampling is, so that every later reader sees the frame chosen.
   */
  frame: z.number().int().min(0).optional(),
  channel: z.number().int().min(0).optional(),
})
export type ImportPreprocessing = z.infer<typeof ImportPreprocessingSchema>

/** Strict: a misspelt option is refused by name (the stored split fractions are read with the lenient schema). */
export const ImportOptionsSchema = z.strictObject({
  folder: z.string().min(1),
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a dataset name uses letters, digits, ".", "_" and "-", starting with a letter or digit'),
  seed: z.number().int().min(0).default(0),
  split: SplitFractionsSchema.strict().default(defaultSplitFractions),
  preprocessing: ImportPreprocessingSchema.default({}),
})
export type ImportOptions = z.input<typeof ImportOptionsSchema>

/**
 * Progress of one dataset import (datasets:import), pushed as `datasetImport` events: 'started' when it
 * begins, 'reading' after each pair is read and checked, then one of the ends. Imports are told apart by
 * the dataset name, which only one running import may hold.
 */
export const ImportProgressSchema = z.object({
  name: z.string(),
  phase: z.enum(['started', 'reading', 'done', 'cancelled', 'failed']),
  /** Pairs read so far, of `total` (0 of 0 until the folder has been searched). */
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** The pair read last; null before the first. */
  caseId: z.string().nullable(),
})
export type ImportProgress = z.infer<typeof ImportProgressSchema>

export const SplitCountsSchema = z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() })

/** A dataset as listed. */
export const DatasetSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  layout: DatasetLayoutSchema,
  sourceDir: z.string(),
  createdAt: z.string(),
  volumes: z.number().int(),
  split: SplitCountsSchema,
  splitSeed: z.number().int(),
  labels: z.record(z.string(), z.string()),
  description: z.string(),
  /**
   * Only on the summary an import returns: what reading its files did that the user should be told (the frame or
   * channel taken from multi-frame files, colour read as grey, Analyze orientation), one line each.
   */
  readNotes: z.array(z.string()).optional(),
})
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>

/** One image/label pair of a dataset, with the facts computed at import. */
export const VolumeRecordSchema = z.object({
  id: z.number().int(),
  caseId: z.string(),
  imagePath: z.string(),
  labelPath: z.string(),
  dims: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  spacing: Vec3Schema,
  sliceAxis: AxisSchema,
  /** The image's stored dtype; for one read by conversion (uint32, int64, uint64, rgb24), the dtype it is held in. */
  imageDtype: VoxelDtypeSchema,
  /** Voxel count per label value present (keys are label values as strings). */
  labelVoxels: z.record(z.string(), z.number().int()),
  /** Slices along the slice axis that contain any foreground. */
  foregroundSlices: z.number().int(),
  subset: SubsetSchema,
})
export type VolumeRecord = z.infer<typeof VolumeRecordSchema>

export const DatasetDetailSchema = DatasetSummarySchema.extend({ volumeRecords: z.array(VolumeRecordSchema) })
export type DatasetDetail = z.infer<typeof DatasetDetailSchema>
