import { z } from 'zod'

/** How slices are chosen within a volume (or across the dataset, with scope 'dataset'). */
export const selectionMethods = ['fixed', 'random', 'representative'] as const
export const SelectionMethodSchema = z.enum(selectionMethods)
export type SelectionMethod = z.infer<typeof SelectionMethodSchema>

/** Slice descriptors for representative selection: cheap (downsampled intensities + PCA) or learned. */
export const featureExtractors = ['pca', 'autoencoder'] as const
export const FeatureExtractorSchema = z.enum(featureExtractors)
export type FeatureExtractor = z.infer<typeof FeatureExtractorSchema>

/** k-center greedy (core-set, Sener & Savarese 2018) or k-medoids representativeness (Zheng et al.). */
export const selectionRules = ['kcenter', 'kmedoids'] as const
export const SelectionRuleSchema = z.enum(selectionRules)
export type SelectionRule = z.infer<typeof SelectionRuleSchema>

/** Spend k slices in each volume, or the same total budget across all selected volumes at once. */
export const selectionScopes = ['volume', 'dataset'] as const
export const SelectionScopeSchema = z.enum(selectionScopes)
export type SelectionScope = z.infer<typeof SelectionScopeSchema>

/** Nested subsets (1/8 ⊂ 1/4 ⊂ 1/2 ⊂ 1, curves over s compare like with like) or independent draws. */
export const SubsetModeSchema = z.enum(['nested', 'independent'])
export type SubsetMode = z.infer<typeof SubsetModeSchema>

/** A fraction in (0, 1]: annotation density ρ or volume count s. */
export const UnitFractionSchema = z.number().gt(0, 'must be above 0').lte(1, 'must be at most 1')

/** Everything that determines a plan; the same request gives the identical plan. */
export const PlanRequestSchema = z.object({
  dataset: z.string().min(1),
  /** Annotation density ρ: fraction of slices annotated in each selected volume. */
  density: UnitFractionSchema,
  /** Volume count s: fraction of the training volumes selected. */
  volumeFraction: UnitFractionSchema,
  method: SelectionMethodSchema,
  features: FeatureExtractorSchema.default('pca'),
  rule: SelectionRuleSchema.default('kcenter'),
  scope: SelectionScopeSchema.default('volume'),
  subsetMode: SubsetModeSchema.default('nested'),
  /** Fixed interval only: where the first slice sits within its interval, 0…1 (0.5 = centred). */
  fixedOffset: z.number().min(0).lt(1).default(0.5),
  seed: z.number().int().min(0).default(0),
})
export type PlanRequest = z.infer<typeof PlanRequestSchema>
export type PlanRequestInput = z.input<typeof PlanRequestSchema>

/** One selected volume and its annotated slice indices (sorted, distinct, along its slice axis). */
export const PlanItemSchema = z.object({
  volumeId: z.number().int(),
  /** The volume's case id. */
  volume: z.string(),
  sliceAxis: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  /** Slices along the slice axis in this volume. */
  sliceCount: z.number().int().positive(),
  slices: z.array(z.number().int().min(0)),
  /** For imported plans: the sparse mask file (.nii.gz) holding the annotations. */
  maskPath: z.string().optional(),
})
export type PlanItem = z.infer<typeof PlanItemSchema>

export const planSources = ['generated', 'imported'] as const

/** A resolved annotation plan, as stored and as `workbench plan --json` prints it. */
export const PlanSchema = z.object({
  planId: z.number().int(),
  dataset: z.string(),
  density: z.number(),
  /** Volume count s (fraction of training volumes). */
  volumes: z.number(),
  method: z.union([SelectionMethodSchema, z.literal('imported')]),
  features: FeatureExtractorSchema.nullable(),
  rule: SelectionRuleSchema.nullable(),
  scope: SelectionScopeSchema,
  subsetMode: SubsetModeSchema,
  seed: z.number().int(),
  source: z.enum(planSources),
  /** The request the plan was resolved from (null for an imported plan). */
  request: PlanRequestSchema.nullable(),
  totalSlices: z.number().int(),
  /**
   * True when some volume's slice count departs from k = max(1, round(ρ·n)) — a dataset-scope plan spends
   * its budget unevenly, and an imported plan has whatever the annotators did.
   */
  perVolumeCountsDiffer: z.boolean(),
  createdAt: z.string(),
  items: z.array(PlanItemSchema),
})
export type Plan = z.infer<typeof PlanSchema>

/** A way of spending a slice budget: m volumes at density ρ. */
export const BudgetOptionSchema = z.object({
  volumes: z.number().int(),
  volumeFraction: z.number(),
  density: z.number(),
  /** Smallest, largest and mean per-volume slice count (volumes differ in length). */
  slicesPerVolume: z.object({ min: z.number().int(), max: z.number().int(), mean: z.number() }),
  totalSlices: z.number().int(),
  /** (totalSlices − budget) / budget. */
  deviation: z.number(),
})
export type BudgetOption = z.infer<typeof BudgetOptionSchema>

/** Every (ρ, s) that spends a budget, and what the paper's findings suggest. */
export const BudgetAdviceSchema = z.object({
  budget: z.number().int(),
  trainVolumes: z.number().int(),
  trainSlices: z.number().int(),
  options: z.array(BudgetOptionSchema),
  /** The option the paper's findings point to for each model kind, or null when none qualifies. */
  recommended: z.object({ model2d: BudgetOptionSchema.nullable(), model3d: BudgetOptionSchema.nullable() }),
  minDensity3d: z.number(),
  /** The paper's finding in words, with its caveat. */
  rationale: z.string(),
})
export type BudgetAdvice = z.infer<typeof BudgetAdviceSchema>

/** Formats a plan is exported in for annotators: slice lists (CSV, JSON) or nnU-Net sparse label volumes. */
export const planExportFormats = ['csv', 'json', 'nnunet'] as const
export const PlanExportFormatSchema = z.enum(planExportFormats)
