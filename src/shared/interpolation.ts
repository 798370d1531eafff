import { z } from 'zod'

/** Mask interpolation methods: Algorithm 1's propagation, signed-distance blending, nearest-slice copy. */
export const interpolationMethods = ['propagate', 'sdf', 'nearest'] as const
export const InterpolationMethodSchema = z.enum(interpolationMethods)
export type InterpolationMethod = z.infer<typeof InterpolationMethodSchema>

/** Where two propagation fronts meet: the paper's first-come rule, or a distance-weighted blend. */
export const fusionRules = ['first', 'weighted'] as const
export const FusionSchema = z.enum(fusionRules)
export type Fusion = z.infer<typeof FusionSchema>

/** IoU and Dice of one label (or of the foreground) against the dense human mask. */
export const OverlapSchema = z.object({ iou: z.number(), dice: z.number() })

/** One slice of an interpolated volume: where its mask came from and how good it is. */
export const SliceQualitySchema = z.object({
  index: z.number().int(),
  source: z.enum(['annotated', 'interpolated', 'empty']),
  /** Slices to the nearest annotated slice (0 on annotated slices). */
  distance: z.number().int(),
  /** Foreground IoU / Dice of this slice against the human mask. */
  iou: z.number(),
  dice: z.number(),
  /**
   * Whether the human mask has foreground on this slice: tells "both empty" from "object missed" where the
   * interpolated mask is empty. Absent in runs stored before it was recorded.
   */
  foreground: z.boolean().optional(),
})
export type SliceQuality = z.infer<typeof SliceQualitySchema>

/** One volume's interpolation result. */
export const VolumeInterpolationSchema = z.object({
  volumeId: z.number().int(),
  volume: z.string(),
  maskPath: z.string(),
  annotated: z.array(z.number().int()),
  /** Whole-volume foreground IoU / Dice. */
  iou: z.number(),
  dice: z.number(),
  /** Per label value (as a string key). */
  perLabel: z.record(z.string(), OverlapSchema),
  slices: z.array(SliceQualitySchema),
  ms: z.number(),
})
export type VolumeInterpolation = z.infer<typeof VolumeInterpolationSchema>

/**
 * A client-chosen id for one interpolation started from the UI: its `progress` events (done = volumes
 * interpolated, total = volumes of the plan) carry it as their task, and interpolation:cancel names it.
 */
export const InterpolationTaskSchema = z.string().min(1).max(100)

export const InterpolateRequestSchema = z.object({
  planId: z.number().int().positive(),
  method: InterpolationMethodSchema,
  fusion: FusionSchema.default('weighted'),
})
export type InterpolateRequest = z.infer<typeof InterpolateRequestSchema>

/** Quality against distance to the nearest annotated slice: mean foreground IoU / Dice of the slices at that distance. */
export const DistanceRowSchema = z.object({ distance: z.number().int(), slices: z.number().int(), meanIoU: z.number(), meanDice: z.number() })
export type DistanceRow = z.infer<typeof DistanceRowSchema>

/** A stored interpolation run of a plan, as `workbench interpolate --json` prints it. */
export const InterpolationRunSchema = z.object({
  runId: z.number().int(),
  planId: z.number().int(),
  method: InterpolationMethodSchema,
  fusion: FusionSchema.nullable(),
  meanIoU: z.number(),
  meanDice: z.number(),
  outDir: z.string(),
  /** Over all the run's slices: how quality falls with distance from the annotated slices. */
  byDistance: z.array(DistanceRowSchema),
  volumes: z.array(VolumeInterpolationSchema),
})
export type InterpolationRun = z.infer<typeof InterpolationRunSchema>

/** A row of the paper's Table 3: interpolated-mask quality at one density. */
export const QualityRowSchema = z.object({
  density: z.number(),
  method: InterpolationMethodSchema,
  fusion: FusionSchema.nullable(),
  selection: z.enum(['fixed', 'random']),
  meanIoU: z.number(),
  meanDice: z.number(),
  volumes: z.number().int(),
  msPerVolume: z.number(),
})
export type QualityRow = z.infer<typeof QualityRowSchema>
