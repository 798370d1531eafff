import { z } from 'zod'
import { InterpolationMethodSchema } from './interpolation'

/**
 * The training contract: one validated config per run, the progress it reports and the result it stores.
 * Every default here is the one a run gets when the CLI or the UI leaves the field out, and the resolved
 * config (defaults filled in) is what the run record keeps, so a run can be replayed from its record.
 */

/**
 * Backends of the ladder, fastest first: 'tensorflow' is what tfjs-node-gpu and tfjs-node register,
 * 'webgpu' is TF.js's WebGPU backend on Dawn's Node bindings (a hardware adapter unless forced).
 */
export const trainBackends = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const
export const TrainBackendSchema = z.enum(trainBackends)
export type TrainBackend = z.infer<typeof TrainBackendSchema>

/** The GPU adapter a webgpu run computed on, as the driver describes it. */
export const GpuAdapterSchema = z.object({
  /** Dawn's backend for it: vulkan, metal, d3d12, opengl. */
  api: z.string(),
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** A CPU rasteriser posing as a GPU (llvmpipe, SwiftShader, lavapipe, WARP): for tests, never chosen unasked. */
  software: z.boolean(),
})
export type GpuAdapter = z.infer<typeof GpuAdapterSchema>

/** What the ladder finds on this machine, rung by rung, without training (the Train view's "Compute" facts). */
export const BackendProbeSchema = z.object({
  rungs: z.array(
    z.object({
      name: TrainBackendSchema,
      /** True when the ladder would take this rung if it reached it (a software adapter counts only as forced). */
      available: z.boolean(),
      /** The hardware adapter webgpu found (a software one is only named in `detail`: it is taken only when forced). */
      adapter: GpuAdapterSchema.nullable(),
      /** Why the rung is unavailable, or what it runs on. */
      detail: z.array(z.string()),
    }),
  ),
  /** The rung an unforced run would train on. */
  chosen: TrainBackendSchema,
})
export type BackendProbe = z.infer<typeof BackendProbeSchema>

/** The one-line warning for a run on a software adapter (null for a hardware one). */
export function softwareAdapterWarning(a: GpuAdapter | null): string | null {
  if (!a?.software) return null
  return `webgpu ran on ${a.device || a.description || 'a software adapter'}, a software adapter (the CPU drawing as a GPU): correct, but slower than --backend wasm`
}

/** A short human name for an adapter ("llvmpipe (opengl, software)"). */
export function describeAdapter(a: GpuAdapter): string {
  const name = [a.vendor, a.architecture, a.device].filter((s) => s.trim() !== '').join(' ') || a.description || 'unnamed adapter'
  return `${name} (${a.api}${a.software ? ', software' : ''})`
}

/**
 * Models: 2D nets predict slice by slice; 3D nets take patches and predict by sliding windows. The U-Nets are
 * ours; the rest are the paper's architectures (its Table 2) as MONAI and their papers define them — see
 * src/main/core/training/models/ (one file per architecture) and the README's model table.
 */
export const modelKinds = ['unet2d', 'attention-unet2d', 'unet3d', 'inception-unet2d', 'segresnet2d', 'segresnet3d', 'unetr3d', 'segformer2d'] as const
export const ModelKindSchema = z.enum(modelKinds)
export type ModelKind = z.infer<typeof ModelKindSchema>

const models3d: ReadonlySet<ModelKind> = new Set(['unet3d', 'segresnet3d', 'unetr3d'])

/** True for models that see one slice at a time. */
export function isModel2d(kind: ModelKind): boolean {
  return !models3d.has(kind)
}

export const normalisations = ['batch', 'instance', 'none'] as const
export const NormalisationSchema = z.enum(normalisations)
export type Normalisation = z.infer<typeof NormalisationSchema>

/** SegFormer's Mix Transformer sizes (Xie 2021, Table 6): B0–B3. */
export const segformerSizes = ['b0', 'b1', 'b2', 'b3'] as const
export const SegformerSizeSchema = z.enum(segformerSizes)
export type SegformerSize = z.infer<typeof SegformerSizeSchema>

const count = (max: number) => z.number().int().min(1).max(max)

/**
 * One flat model config for every kind: `kind`, `depth`, `baseChannels` and `normalisation` always (with their
 * defaults, so stored configs of the U-Nets read as before), and each architecture's own options, optional, whose
 * defaults for the kind `resolveModelConfig` (src/shared/models.ts) fills in. Which field means what, per kind:
 *   unet2d, attention-unet2d, unet3d, inception-unet2d: depth, baseChannels, normalisation;
 *   segresnet2d/3d: baseChannels = MONAI's init_filters; blocksDown, blocksUp; group norm (8 groups) always;
 *   unetr3d: baseChannels = MONAI's feature_size; hiddenSize, layers, heads, mlpDim, patchEdge; imageSize =
 *     the fixed input the ViT's position embedding is built for (the training patch, filled in by resolve-job);
 *   segformer2d: size (b0–b3).
 */
export const ModelConfigSchema = z.object({
  kind: ModelKindSchema.default('unet2d'),
  /** Down-sampling levels (the paper's 2D U-Net: 4; the benchmark net: 3). */
  depth: z.number().int().min(1).max(5).default(3),
  /** Channels of the first level; each level down doubles them (SegResNet's init_filters, UNETR's feature_size). */
  baseChannels: z.number().int().min(1).max(256).default(16),
  normalisation: NormalisationSchema.default('batch'),
  /** SegResNet: residual blocks at each level down (MONAI's blocks_down, default [1, 2, 2, 4]). */
  blocksDown: z.array(count(16)).min(1).max(6).optional(),
  /** SegResNet: residual blocks at each level up, one fewer level than blocksDown (default [1, 1, 1]). */
  blocksUp: z.array(count(16)).min(0).max(5).optional(),
  /** UNETR's ViT: token width (default 768), transformer layers (12, a multiple of 4), heads (12), MLP width (3072). */
  hiddenSize: count(4096).optional(),
  layers: count(48).optional(),
  heads: count(64).optional(),
  mlpDim: count(16384).optional(),
  /** UNETR: edge of the cubic ViT patch (default 16). */
  patchEdge: count(64).optional(),
  /** UNETR: the input size (D, H, W) the position embedding is built for. */
  imageSize: z.tuple([count(4096), count(4096), count(4096)]).optional(),
  /** SegFormer: the MiT encoder size (default b0; the paper's is b3). */
  size: SegformerSizeSchema.optional(),
})
export type ModelConfig = z.infer<typeof ModelConfigSchema>
/**
 * A model config as a user writes it: unknown keys refused by name. ModelConfigSchema itself stays lenient, as
 * it also reads the model configs stored in checkpoints (which may hold keys an older version wrote).
 */
export const ModelConfigInputSchema = ModelConfigSchema.strict()

export const lossKinds = ['ce', 'dice-ce', 'dice-focal'] as const
export const LossKindSchema = z.enum(lossKinds)
export type LossKind = z.infer<typeof LossKindSchema>

export const LossConfigSchema = z.strictObject({
  /** ce: class-weighted cross-entropy; dice-ce: soft Dice + CE; dice-focal: soft Dice + focal. */
  kind: LossKindSchema.default('ce'),
  /** One weight per class for the cross-entropy / focal term; omitted = all 1. */
  classWeights: z.array(z.number().nonnegative()).optional(),
  focalGamma: z.number().nonnegative().default(2),
})
export type LossConfig = z.infer<typeof LossConfigSchema>

export const optimizerKinds = ['adam', 'adamw', 'sgd'] as const
export const OptimizerKindSchema = z.enum(optimizerKinds)
export type OptimizerKind = z.infer<typeof OptimizerKindSchema>

export const OptimizerConfigSchema = z.strictObject({
  kind: OptimizerKindSchema.default('adam'),
  lr: z.number().positive().max(10).default(1e-3),
  /** Decoupled for AdamW; L2 added to the gradient for Adam and SGD. */
  weightDecay: z.number().nonnegative().default(0),
  /** SGD only. */
  momentum: z.number().min(0).max(1).default(0.9),
  nesterov: z.boolean().default(false),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
})
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>

export const scheduleKinds = ['constant', 'poly', 'step', 'cosine'] as const
export const ScheduleKindSchema = z.enum(scheduleKinds)
export type ScheduleKind = z.infer<typeof ScheduleKindSchema>

export const ScheduleConfigSchema = z.strictObject({
  /** poly: lr·(1 − t/T)^power; step: lr·gamma^⌊t/every⌋; cosine: minLr + (lr − minLr)·(1 + cos πt/T)/2. */
  kind: ScheduleKindSchema.default('constant'),
  power: z.number().positive().default(0.9),
  every: z.number().int().positive().default(1000),
  gamma: z.number().positive().max(1).default(0.5),
  minLr: z.number().nonnegative().default(0),
  /** Linear warm-up from 0 over this many steps, before the schedule proper. */
  warmupSteps: z.number().int().nonnegative().default(0),
})
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>

/** Seeded augmentation; each transform is drawn per sample with probability `probability`. */
export const AugmentConfigSchema = z.strictObject({
  /**
   * Random flips along each in-plane axis (and depth for 3D). Off unless asked for: where a label's meaning
   * depends on where it lies they are wrong — MSD hippocampus's anterior (1) and posterior (2) swap places under a
   * flip along the anterior–posterior axis, and a small net then learns one of the two labels only. Turn them on
   * for labels that are symmetric under a flip.
   */
  flip: z.boolean().default(false),
  /** Random rotation (degrees, ±) and isotropic scale (±fraction); 0 switches it off. */
  rotateDegrees: z.number().min(0).max(180).default(0),
  scale: z.number().min(0).max(0.9).default(0),
  /** Multiplicative smooth bias field of this amplitude (0 = off). */
  biasField: z.number().min(0).max(1).default(0),
  /** 2D elastic deformation: displacement amplitude in pixels (0 = off) and smoothness (pixels). */
  elasticAlpha: z.number().min(0).default(0),
  elasticSigma: z.number().positive().default(4),
  /** Intensity jitter: ±shift and ±scale of the normalised image (0 = off). */
  intensityShift: z.number().min(0).default(0),
  intensityScale: z.number().min(0).max(0.9).default(0),
  probability: z.number().min(0).max(1).default(0.5),
})
export type AugmentConfig = z.infer<typeof AugmentConfigSchema>

/** How 3D patches are centred: a weight per class label and one for unannotated voxels. */
export const PatchSamplingSchema = z.strictObject({
  /** Weight of centring a patch on a voxel of each class, indexed by label (0 = background). */
  classWeights: z.array(z.number().nonnegative()).optional(),
  /** Weight of centring a patch on an unannotated voxel (any label). */
  unannotated: z.number().nonnegative().default(0),
})
export type PatchSampling = z.infer<typeof PatchSamplingSchema>

/**
 * The one train config; `datasetId` and `planId` are resolved by the door from names the user gave. Strict at
 * every level: a misspelt option ("stepz") is refused by name instead of training with the default. Stored
 * configs are read back as plain records (RunRecordSchema), never through this schema.
 */
export const TrainConfigSchema = z
  .strictObject({
    datasetId: z.number().int().positive(),
    /** The annotation plan whose slices give the labels; null = dense training on every training volume. */
    planId: z.number().int().positive().nullable().default(null),
    /** M.I. mode: train on this interpolation method's dense masks of the plan instead of its slices. */
    interpolated: InterpolationMethodSchema.nullable().default(null),
    model: ModelConfigInputSchema.default(ModelConfigSchema.parse({})),
    loss: LossConfigSchema.default(LossConfigSchema.parse({})),
    optimizer: OptimizerConfigSchema.default(OptimizerConfigSchema.parse({})),
    schedule: ScheduleConfigSchema.default(ScheduleConfigSchema.parse({})),
    augment: AugmentConfigSchema.default(AugmentConfigSchema.parse({})),
    steps: z.number().int().min(1).max(10_000_000).default(1000),
    batchSize: z.number().int().min(1).max(1024).default(16),
    /** 2D input size: each slice is centre-padded or cropped to it (the protocol pads to 64×64). */
    sliceSize: z.tuple([z.number().int().min(4), z.number().int().min(4)]).default([64, 64]),
    /** 3D patch size (along i, j, k). */
    patchSize: z.tuple([z.number().int().min(4), z.number().int().min(4), z.number().int().min(4)]).default([32, 32, 32]),
    patchSampling: PatchSamplingSchema.default(PatchSamplingSchema.parse({})),
    /** Sliding-window overlap for 3D prediction (fraction of the patch). */
    windowOverlap: z.number().min(0).max(0.9).default(0.5),
    seed: z.number().int().min(0).default(0),
    /** Force a backend; omitted = the ladder's first rung that works. */
    backend: TrainBackendSchema.optional(),
    /** Threads for the wasm backend (0 = one per core). */
    threads: z.number().int().min(0).max(256).default(0),
    /** Loss/lr curve points kept (every n-th step is averaged into one point). */
    logEvery: z.number().int().min(1).default(10),
    /** Save a checkpoint every n steps (0 = only at the end). */
    checkpointEvery: z.number().int().min(0).default(0),
    /** Which split the final evaluation runs on. */
    evaluateOn: z.enum(['test', 'validation', 'none']).default('test'),
    /** Start from this checkpoint's weights (a path in the workspace or absolute). */
    initFrom: z.string().min(1).optional(),
    /**
     * Evaluate foreground Dice on the validation volumes every n steps (and at the last step), kept as a curve
     * in the result (0 = never). Without `patience` it only records: the run still takes every step.
     */
    valEvery: z.number().int().min(0).max(10_000_000).default(0),
    /**
     * Early stopping: stop after this many validation evaluations in a row without a higher Dice, and evaluate
     * the best-on-validation weights instead of the last (0 = off: fixed iterations, as the paper trains).
     */
    patience: z.number().int().min(0).max(1_000_000).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.patience > 0 && c.valEvery === 0) {
      ctx.addIssue({ code: 'custom', path: ['patience'], message: 'early stopping needs a validation interval (--val-every)' })
    }
    if (c.patience > 0 && c.evaluateOn === 'validation') {
      ctx.addIssue({ code: 'custom', path: ['patience'], message: 'early stopping picks its weights on the validation split, so scoring them there would be optimistic; evaluate on test' })
    }
    if (c.interpolated !== null && c.planId === null) {
      ctx.addIssue({ code: 'custom', path: ['interpolated'], message: 'interpolated masks need a plan (--plan)' })
    }
    if (c.loss.classWeights && c.loss.classWeights.every((w) => w === 0)) {
      ctx.addIssue({ code: 'custom', path: ['loss', 'classWeights'], message: 'at least one class weight must be positive' })
    }
  })
export type TrainConfig = z.infer<typeof TrainConfigSchema>
export type TrainConfigInput = z.input<typeof TrainConfigSchema>

/** Progress of a training run, as events and as the CLI's progress bar. */
export const TrainProgressSchema = z.object({
  runId: z.number().int(),
  phase: z.enum(['loading', 'training', 'evaluating']),
  step: z.number().int(),
  steps: z.number().int(),
  loss: z.number().nullable(),
  lr: z.number().nullable(),
  stepsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  /** Mean fraction of labelled voxels in the last batch (3D patches; 2D slices are fully labelled). */
  annotatedFraction: z.number().nullable(),
  /** Evaluation: volumes done of total. */
  done: z.number().int().optional(),
  total: z.number().int().optional(),
})
export type TrainProgress = z.infer<typeof TrainProgressSchema>

/** Overlap of one class (or the foreground, label > 0) with the dense reference. */
export const ClassScoreSchema = z.object({ label: z.number().int(), iou: z.number(), dice: z.number() })

export const VolumeScoreSchema = z.object({
  volumeId: z.number().int(),
  caseId: z.string(),
  /** Foreground (label > 0) overlap. */
  iou: z.number(),
  dice: z.number(),
  perClass: z.array(ClassScoreSchema),
})
export type VolumeScore = z.infer<typeof VolumeScoreSchema>

export const EvaluationSchema = z.object({
  split: z.enum(['test', 'validation']),
  volumes: z.array(VolumeScoreSchema),
  /** Means over volumes: foreground and per class (label ≥ 1). */
  meanIou: z.number(),
  meanDice: z.number(),
  perClass: z.array(ClassScoreSchema),
  ms: z.number(),
})
export type Evaluation = z.infer<typeof EvaluationSchema>

/** A point of the training curve: means over `logEvery` steps. */
export const CurvePointSchema = z.object({
  step: z.number().int(),
  loss: z.number(),
  lr: z.number(),
  annotatedFraction: z.number().nullable(),
})
export type CurvePoint = z.infer<typeof CurvePointSchema>

/** Foreground Dice and IoU on the validation volumes after `step` steps. */
export const ValidationPointSchema = z.object({ step: z.number().int(), dice: z.number(), iou: z.number() })
export type ValidationPoint = z.infer<typeof ValidationPointSchema>

/** The periodic validation of a run with `valEvery` > 0, and what early stopping did with it. */
export const ValidationRecordSchema = z.object({
  every: z.number().int(),
  patience: z.number().int(),
  /** Validation volumes evaluated each time. */
  volumes: z.number().int(),
  curve: z.array(ValidationPointSchema),
  bestStep: z.number().int(),
  bestDice: z.number(),
  /** The step early stopping ended the run at; null when it took every step. */
  stoppedAt: z.number().int().nullable(),
  /** The weights the final evaluation scored: the best on validation (early stopping) or the last. */
  evaluatedWeights: z.enum(['best', 'last']),
  /** Where the last weights went when the run's checkpoint holds the best ones instead (null otherwise). */
  lastCheckpoint: z.string().nullable(),
  /** Time spent validating (not counted in the training time). */
  ms: z.number(),
})
export type ValidationRecord = z.infer<typeof ValidationRecordSchema>

/**
 * What `initFrom` put into the net (stored with the run, printed by the CLI). A state dict (safetensors or PyTorch's
 * zip `.pth`) is mapped by name: a file key `prefix.file + rest` goes to our variable `prefix.ours + rest`, the pairing
 * chosen as the one matching the most names; our checkpoints load whole (every variable, nothing skipped).
 */
export const InitFromReportSchema = z.object({
  file: z.string(),
  format: z.enum(['checkpoint', 'safetensors', 'pytorch-zip']),
  prefix: z.object({ file: z.string(), ours: z.string() }),
  /** Our variables (weights and state) given the file's values. */
  loaded: z.array(z.string()),
  /** File keys with no variable of that name in the net (a classification head, num_batches_tracked). */
  skipped: z.array(z.string()),
  /** Our variables the file lacks: kept at their initialisation. */
  missing: z.array(z.string()),
  /** Same name, another shape (the file's own shape, ours in our layout): kept at their initialisation. */
  mismatched: z.array(z.object({ name: z.string(), fileKey: z.string(), fileShape: z.array(z.number().int()), ourShape: z.array(z.number().int()) })),
  /** Tensors converted to float32, counted by the file's dtype (F16, BF16, F64, I64). */
  converted: z.record(z.string(), z.number().int()),
})
export type InitFromReport = z.infer<typeof InitFromReportSchema>

/** What a finished training run stores as its result. */
export const TrainResultSchema = z.object({
  backend: TrainBackendSchema,
  /** Why each faster backend was not used. */
  backendReasons: z.array(z.string()),
  /** The GPU adapter of a webgpu run (null on other backends; absent in records older than the webgpu rung). */
  adapter: GpuAdapterSchema.nullable().default(null),
  threads: z.number().int(),
  /** Training volumes and annotated slices the run learned from. */
  trainVolumes: z.number().int(),
  annotatedSlices: z.number().int(),
  parameters: z.number().int(),
  steps: z.number().int(),
  timings: z.object({ loadMs: z.number(), trainMs: z.number(), msPerStep: z.number(), evalMs: z.number() }),
  peakRssMb: z.number(),
  curve: z.array(CurvePointSchema),
  checkpoint: z.string(),
  evaluation: EvaluationSchema.nullable(),
  /** Periodic validation; absent when valEvery is 0 (and in records older than it). */
  validation: ValidationRecordSchema.optional(),
  /** What --init-from loaded; absent when the run started from its own initialisation. */
  initFrom: InitFromReportSchema.optional(),
})
export type TrainResult = z.infer<typeof TrainResultSchema>
