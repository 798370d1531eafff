/**
 * Size bounds: what an import or a training run would need in memory, against what this machine can give it.
 * One definition of the arithmetic and of the refusal's words, used by the core wherever a request enters (an
 * import's options, a train config, a sweep's shared config), so the CLI, the browser-mode API and Electron IPC
 * refuse the same things with the same message, before anything is allocated. Pure: the machine's memory is
 * passed in (the core reads os.totalmem; tests set it).
 */
import { describeModelConfig } from './model-catalogue'
import { resolveModelConfig } from './models'
import { parameterCount } from './param-counts'
import { unetrStageFactor } from './param-counts/unetr'
import { mitSizes } from './param-counts/segformer'
import type { ModelConfig, ModelKind, SegformerSize } from './training'

/**
 * The share of the machine's memory one import or one training run may plan to use. Half: the estimates below
 * are rough, and the operating system, the UI and the other workers (a sweep trains several trials at once) need
 * the rest.
 */
export const memoryShare = 0.5

/** What one operation may use on a machine with `totalBytes` of memory. */
export function memoryBudget(totalBytes: number): number {
  return Math.floor(totalBytes * memoryShare)
}

const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const

/** Bytes in decimal units, three significant digits at most ("16 PB", "11.8 GB", "512 B"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than any machine holds'
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const digits = value >= 100 || unit === 0 ? 0 : value >= 10 ? 1 : 2
  return `${Number(value.toFixed(digits))} ${units[unit]}`
}

/** A shape as people write it: 100000×100000×100000. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×')
}

/** The product of a shape's extents. */
export function voxelCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/**
 * The refusal when `neededBytes` exceeds what the machine gives one operation, else null:
 * "would need 16 PB (…how…); this machine can give one … at most 11.8 GB (half of its 23.5 GB)".
 */
export function exceedsMemory(neededBytes: number, totalBytes: number, what: { how: string; operation: string }): string | null {
  const budget = memoryBudget(totalBytes)
  if (neededBytes <= budget) return null
  return `would need ${formatBytes(neededBytes)} (${what.how}); this machine can give ${what.operation} at most ${formatBytes(budget)} (half of its ${formatBytes(totalBytes)})`
}

// ---------------------------------------------------------------------------------------------------------------
// Import

/** Allowed target voxel size in mm, each axis: below 0.01 mm or above 100 mm is no medical image. */
export const spacingRangeMm = { min: 0.01, max: 100 } as const

/** NIfTI-1 (which the import writes) stores each extent as a 16-bit integer. */
export const niftiMaxExtent = 32767

/**
 * An import holds, per pair, the image and the label as read and as preprocessed, and the file bytes it writes;
 * at most 4 bytes a voxel (float32, the widest type it keeps) in each of 4 copies of the preprocessed size.
 */
export const importBytesPerVoxel = 4
export const importCopies = 4

/** Bytes one pair's preprocessing needs at this output shape. */
export function importBytes(shape: readonly number[]): number {
  return voxelCount(shape) * importBytesPerVoxel * importCopies
}

/** The shape a volume of `dims` voxels of `spacing` mm takes when resampled to `target` mm (at least 1 a side). */
export function resampledShape(dims: readonly number[], spacing: readonly number[], target: readonly number[]): number[] {
  return dims.map((d, a) => Math.max(1, Math.round((d * (spacing[a] ?? 1)) / (target[a] ?? 1))))
}

/** Why an import cannot write volumes of this shape on this machine (to follow the shape), or null when it can. */
export function importShapeProblem(shape: readonly number[], totalBytes: number): string | null {
  const memory = exceedsMemory(importBytes(shape), totalBytes, {
    how: `${importBytesPerVoxel} bytes × ${importCopies} copies a voxel`,
    operation: 'one import',
  })
  if (memory) return memory
  if (shape.some((d) => d > niftiMaxExtent)) return `exceeds NIfTI-1's ${niftiMaxExtent} voxels per axis (the import writes NIfTI-1)`
  return null
}

// ---------------------------------------------------------------------------------------------------------------
// Training

/** What the training memory estimate depends on. */
export interface TrainingGeometry {
  /** A 2D slice [h, w] or a 3D patch [i, j, k]. */
  readonly input: readonly number[]
  /** The model (its kind's defaults are filled in here). */
  readonly model: ModelConfig
  readonly batchSize: number
  /** The data set's classes: the head's width, so part of the parameter count. */
  readonly numClasses: number
}

/** Voxels of `input` after `halvings` stride-2 down-samplings. */
function voxelsAt(input: readonly number[], halvings: number): number {
  return voxelCount(input) / 2 ** (input.length * halvings)
}

/**
 * U-Nets: at level i (c_i = base·2^i channels, the input's voxels / 2^(dims·i)) the encoder keeps two conv → norm →
 * ReLU (6 tensors), the decoder an up-convolution, two partial convolutions and their sum, a norm and a ReLU, then
 * another conv → norm → ReLU (9): 16 with the max-pool, rounded up. The bottleneck keeps 2 × 3 (rounded to 8).
 * Attention gates (attention-unet2d) add a little; not counted.
 */
function unetFloats(m: ModelConfig, input: readonly number[]): number {
  let floats = 0
  for (let level = 0; level < m.depth; level++) floats += 16 * m.baseChannels * 2 ** level * voxelsAt(input, level)
  return floats + 8 * m.baseChannels * 2 ** m.depth * voxelsAt(input, m.depth)
}

/**
 * SegResNet (models/segresnet.ts): a residual block at c channels keeps two group norms (the centred input, its square
 * and the output: 3 each), two ReLUs, two convs and the sum: 11 tensors of c·v floats. Per level i (c_i, v_i) the
 * blocks down and up, the stride-2 conv into it (1), and on the way up the 1×1 conv at the coarser size, the
 * up-sampled tensor and the skip sum (2); the first conv (1) and the final norm, ReLU and head (4 + K/B) at full size.
 */
function segresnetFloats(m: ModelConfig, input: readonly number[]): number {
  const down = m.blocksDown as number[]
  const up = m.blocksUp as number[]
  const c = (i: number): number => m.baseChannels * 2 ** i
  let floats = m.baseChannels * voxelsAt(input, 0)
  down.forEach((blocks, i) => {
    floats += c(i) * voxelsAt(input, i) * ((i > 0 ? 1 : 0) + 11 * blocks)
  })
  up.forEach((blocks, j) => {
    const level = up.length - 1 - j
    floats += c(level) * voxelsAt(input, level + 1) + c(level) * voxelsAt(input, level) * (2 + 11 * blocks)
  })
  return floats + 4 * m.baseChannels * voxelsAt(input, 0)
}

/**
 * UNETR (models/unetr.ts) on n = voxels/p³ tokens of width h: a transformer block keeps two layer norms (5 tensors
 * each), q, k and v with their slices and head splits (9), the attention's scores, scaled scores and softmax
 * (4 × heads·n², the n² term that dominates at many tokens), its output and merge (2), the projection, the MLP's two
 * linears and exact GELU (5 at the MLP width) and two residual sums: 25·n·h + 6·n·mlp + 4·heads·n². The decoder at the
 * sizes its four stages reach (each ×2 per axis for a patch edge of 16; see unetrStageFactor): residual blocks of
 * convs and affine-free instance norms (21 tensors with the residual's projection, 15 without), transposed convs (1)
 * and the concatenations (2).
 */
function unetrFloats(m: ModelConfig, input: readonly number[]): number {
  const p = m.patchEdge as number
  const h = m.hiddenSize as number
  const F = m.baseChannels
  const voxels = voxelCount(input)
  const n = voxels / p ** input.length
  const vit = n * h * 7 + (m.layers as number) * (25 * n * h + 6 * n * (m.mlpDim as number) + 4 * (m.heads as number) * n * n)
  // Voxels after decoder stages 3, 2, 1 (stage 0 reaches the input size).
  const r5 = n * unetrStageFactor(p, 3) ** 3
  const r4 = r5 * unetrStageFactor(p, 2) ** 3
  const r3 = r4 * unetrStageFactor(p, 1) ** 3
  const encoders = 21 * F * voxels + 2 * F * (r5 + 16 * r4 + 16 * r3) + 4 * F * (r5 + 16 * r4) + 8 * F * r5
  const decoders = 24 * (8 * F * r5 + 4 * F * r4 + 2 * F * r3 + F * voxels)
  return vit + encoders + decoders
}

/**
 * Inception-UNet (models/inception-unet.ts): an Inception module of C outputs keeps its four branches' conv → norm →
 * ReLU (1 + 2 + 3 + 1 of them at about C/4 channels: 21·C/4 tensors), the concatenation (C) and its input twice for
 * the pool branch (the pool and its shifted copy). Per level, the encoder's module and max-pool, the decoder's
 * up-convolution, concatenation (2·c_i) and module on it: about 21·c_i tensors of the level's size; the bottleneck 8·c_L.
 */
function inceptionUnetFloats(m: ModelConfig, input: readonly number[]): number {
  let floats = 0
  for (let level = 0; level < m.depth; level++) floats += 21 * m.baseChannels * 2 ** level * voxelsAt(input, level)
  return floats + 8 * m.baseChannels * 2 ** m.depth * voxelsAt(input, m.depth)
}

/**
 * SegFormer (models/segformer.ts) on an H×W slice (duplicated to 3 channels): stage i has n_i = H·W/(4·2^i)² tokens of
 * width C_i. A block keeps two layer norms (5 tensors each), q and the attention's output and projection, Mix-FFN's
 * fc1, depth-wise conv and exact GELU at 4·C_i (6 × 4), fc2 and two residual sums: 46·n_i·C_i; the keys' side at
 * n_i/r_i² tokens (reduction conv, its norm, k and v: 12·C_i); the scores 4·heads·n_i²/r_i². Each stage's patch
 * embedding and output norm (11·n_i·C_i). The decoder: four linears to E, three resized to stage 1's size, their
 * concatenation (4·E), the fuse conv, batch norm and ReLU (the logits, K channels, are not counted).
 */
function segformerFloats(m: ModelConfig, input: readonly number[]): number {
  const size = mitSizes[m.size as SegformerSize]
  const pixels = voxelCount(input)
  const tokens = size.embedDims.map((_, i) => pixels / (4 * 2 ** i) ** 2)
  let floats = 3 * pixels
  size.embedDims.forEach((c, i) => {
    const n = tokens[i] as number
    const r2 = (size.srRatios[i] as number) ** 2
    const block = 46 * n * c + (r2 > 1 ? 12 * c * (n / r2) : 4 * c * n) + 4 * (size.heads[i] as number) * n * (n / r2)
    floats += 11 * n * c + (size.depths[i] as number) * block
  })
  const e = size.decoderDim
  const n0 = tokens[0] as number
  return floats + e * tokens.reduce((a, n) => a + n, 0) + 12 * e * n0
}

/** Floats one sample of this kind keeps for the backward pass (see each kind's inventory). */
const inventories: Record<ModelKind, (m: ModelConfig, input: readonly number[]) => number> = {
  unet2d: unetFloats,
  'attention-unet2d': unetFloats,
  unet3d: unetFloats,
  'inception-unet2d': inceptionUnetFloats,
  segresnet2d: segresnetFloats,
  segresnet3d: segresnetFloats,
  unetr3d: unetrFloats,
  segformer2d: segformerFloats,
}

/** Activations one sample keeps for the backward pass, in floats, for `model` (resolved here) on `input`. */
export function activationFloatsPerSample(model: ModelConfig, input: readonly number[]): number {
  const m = resolveModelConfig(model)
  return inventories[m.kind](m, input)
}

/**
 * The largest single activation of one sample, in floats: what must fit one buffer of a GPU backend. U-Nets and
 * Inception-UNet: the first level's decoder input pair, 2·base channels at full size; SegResNet: base channels at full
 * size; UNETR: the larger of an attention's scores (heads·n²) and the finest decoder's concatenation (2·F at full
 * size); SegFormer: the larger of the decoder's concatenation (4·E at 1/4) and the first stage's scores.
 */
export function largestActivationFloats(model: ModelConfig, input: readonly number[]): number {
  const m = resolveModelConfig(model)
  const voxels = voxelCount(input)
  switch (m.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
    case 'inception-unet2d':
      return 2 * m.baseChannels * voxels
    case 'segresnet2d':
    case 'segresnet3d':
      return m.baseChannels * voxels
    case 'unetr3d': {
      const tokens = voxels / (m.patchEdge as number) ** input.length
      return Math.max((m.heads as number) * tokens * tokens, 2 * m.baseChannels * voxels)
    }
    case 'segformer2d': {
      const size = mitSizes[m.size as SegformerSize]
      const n0 = voxels / 16
      return Math.max(4 * size.decoderDim * n0, (size.heads[0] * n0 * n0) / size.srRatios[0] ** 2, 4 * size.embedDims[0] * n0)
    }
  }
}

/**
 * Copies of the activations a training step holds at its peak, per kind: the activations, their gradients and the
 * backward pass's temporaries, against each inventory's count. Measured on wasm at 2 threads as the slope of peak RSS
 * over batch size in 3-step runs (`training-step.bench.ts --measure <case> 2 wasm --batch B`), per sample against the
 * inventory's bytes: the U-Net at 128×128, depth 3, base 16, batch 2/16/32: 608, 1937, 3519 MB, so 95–99 MB a sample
 * where 3 copies say 91 MB (at 64×64, batch 4/16: 24.7 MB a sample, 3.2 copies); Inception-UNet depth 3 base 8 at
 * 64×64, batch 4/16: 388, 758 MB, 30.8 MB a sample, 6.2 copies; SegResNet 2D init 8 at 64×64, batch 4/16: 362,
 * 591 MB, 19.1 MB, 2.4 copies; SegResNet 3D init 8 at 32³, batch 1/4: 430, 765 MB, 111 MB, 2.6 copies; UNETR hidden
 * 192, 4 layers, 4 heads, MLP 768, ViT patch 8, feature size 16 at 32³, batch 1/4: 707, 1464 MB, 252 MB, 1.9 copies;
 * SegFormer B0 at 128×128, batch 2/8: 758, 1774 MB, 169 MB, 4.0 copies (December 2026, after the models' wasm speed
 * work; before its layer norm kept only x̂ and 1/σ, 197 MB). Each kind's copies are its ratio rounded up to a half (the
 * U-Nets' stay at the 3 they were first measured with).
 */
export const trainingCopies: Record<ModelKind, number> = {
  unet2d: 3,
  'attention-unet2d': 3,
  unet3d: 3,
  'inception-unet2d': 6.5,
  segresnet2d: 2.5,
  segresnet3d: 3,
  unetr3d: 2,
  segformer2d: 4.5,
}

/** Floats a training run keeps per parameter: the weight, its gradient and Adam's two moments. */
export const parameterCopies = 4

/** Bytes of the weights, their gradients and the optimiser's moments (float32). */
export function parameterBytes(model: ModelConfig, numClasses: number): number {
  return parameterCount(model, 1, numClasses) * 4 * parameterCopies
}

/** Bytes of one sample's activations × the kind's trainingCopies (float32). */
export function sampleBytes(model: ModelConfig, input: readonly number[]): number {
  return activationFloatsPerSample(model, input) * 4 * trainingCopies[resolveModelConfig(model).kind]
}

/** Bytes a training step needs: the parameters' share and batch × one sample's. */
export function trainingBytes(g: TrainingGeometry): number {
  return parameterBytes(g.model, g.numClasses) + g.batchSize * sampleBytes(g.model, g.input)
}

/** Where a training refusal points: the option to change and why. */
export interface TrainingSizeProblem {
  readonly field: 'sliceSize' | 'patchSize' | 'batchSize' | 'model'
  readonly problem: string
}

/**
 * Why a training run of this geometry cannot fit in this machine's memory, or null when it can. A model whose
 * weights alone are too large blames the model; one sample too large the slice or patch size; otherwise the batch
 * size, with the largest batch that fits.
 */
export function trainingSizeProblem(g: TrainingGeometry, totalBytes: number, inputField: 'sliceSize' | 'patchSize'): TrainingSizeProblem | null {
  const model = describeModelConfig(g.model)
  const how = `float32 activations, gradients and temporaries of ${model}`
  const weights = parameterBytes(g.model, g.numClasses)
  const weightsHow = `${formatBytes(weights)} of weights with their gradients and Adam's moments`
  const batchProblem = exceedsMemory(trainingBytes(g), totalBytes, { how: `${weightsHow}, and ${g.batchSize} samples × ${how}`, operation: 'one training run' })
  if (!batchProblem) return null
  const weightsProblem = exceedsMemory(weights, totalBytes, { how: `the weights of ${model} with their gradients and Adam's moments`, operation: 'one training run' })
  if (weightsProblem) return { field: 'model', problem: `${model} ${weightsProblem}` }
  const one = trainingBytes({ ...g, batchSize: 1 })
  const sampleProblem = exceedsMemory(one, totalBytes, { how: `${weightsHow}, and one sample's ${how}`, operation: 'one training run' })
  if (sampleProblem) return { field: inputField, problem: `${formatShape(g.input)} ${sampleProblem}` }
  const fits = Math.floor((memoryBudget(totalBytes) - weights) / sampleBytes(g.model, g.input))
  return { field: 'batchSize', problem: `${g.batchSize} at ${formatShape(g.input)} ${batchProblem}: at most ${fits} samples a batch fit` }
}
