/**
 * The one table of model kinds that the CLI (`train --help`), the Train view, the sweep form and the reports
 * read: what each kind is called, its dimensions, its source paper and which config fields it uses, and the
 * one way a model config is described in words. The config itself is ModelConfigSchema (training.ts); the
 * options and their defaults are models.ts's; the builders live in src/main/core/training/models/.
 */
import { modelOptions, modelSizeMultiple, resolveModelConfig, type ModelOptionKey } from './models'
import { isModel2d, modelKinds, type ModelConfig, type ModelKind } from './training'

/** The fields of ModelConfig besides `kind`. */
export type ModelField = 'depth' | 'baseChannels' | 'normalisation' | ModelOptionKey

export interface ModelFacts {
  readonly kind: ModelKind
  /** The architecture's name as its paper writes it. */
  readonly name: string
  readonly dims: 2 | 3
  /** Authors, year and title of the paper that defines it. */
  readonly paper: string
  /** Which of depth, baseChannels and normalisation the builder reads (the kind's own options are models.ts's). */
  readonly sharedFields: readonly ('depth' | 'baseChannels' | 'normalisation')[]
  /** What baseChannels is called for this kind (MONAI's names where MONAI defines the model). */
  readonly baseChannelsName: string
}

const unetFields = ['depth', 'baseChannels', 'normalisation'] as const

const facts: Record<ModelKind, Omit<ModelFacts, 'kind' | 'dims'>> = {
  unet2d: { name: 'U-Net', paper: 'Ronneberger, Fischer & Brox 2015, U-Net: Convolutional Networks for Biomedical Image Segmentation', sharedFields: unetFields, baseChannelsName: 'base channels' },
  'attention-unet2d': { name: 'Attention U-Net', paper: 'Oktay et al. 2018, Attention U-Net: Learning Where to Look for the Pancreas', sharedFields: unetFields, baseChannelsName: 'base channels' },
  unet3d: { name: '3D U-Net', paper: 'Çiçek et al. 2016, 3D U-Net: Learning Dense Volumetric Segmentation from Sparse Annotation', sharedFields: unetFields, baseChannelsName: 'base channels' },
  // The paper names a 2D Inception-UNet without its blocks; ours puts GoogLeNet's module (5×5 as two 3×3, as Inception-v3) in each U-Net block.
  'inception-unet2d': { name: 'Inception-UNet', paper: 'Szegedy et al. 2015, Going Deeper with Convolutions (its Inception module as each U-Net block)', sharedFields: unetFields, baseChannelsName: 'base channels' },
  segresnet2d: { name: 'SegResNet (2D)', paper: 'Myronenko 2018, 3D MRI Brain Tumor Segmentation Using Autoencoder Regularization', sharedFields: ['baseChannels'], baseChannelsName: 'init filters' },
  segresnet3d: { name: 'SegResNet', paper: 'Myronenko 2018, 3D MRI Brain Tumor Segmentation Using Autoencoder Regularization', sharedFields: ['baseChannels'], baseChannelsName: 'init filters' },
  unetr3d: { name: 'UNETR', paper: 'Hatamizadeh et al. 2022, UNETR: Transformers for 3D Medical Image Segmentation', sharedFields: ['baseChannels'], baseChannelsName: 'feature size' },
  segformer2d: { name: 'SegFormer', paper: 'Xie et al. 2021, SegFormer: Simple and Efficient Design for Semantic Segmentation with Transformers', sharedFields: [], baseChannelsName: 'base channels' },
}

/** Every kind's facts, in modelKinds' order. */
export const modelCatalogue: readonly ModelFacts[] = modelKinds.map((kind) => ({ kind, dims: isModel2d(kind) ? 2 : 3, ...facts[kind] }))

/** The facts of one kind. */
export function modelFacts(kind: ModelKind): ModelFacts {
  return modelCatalogue.find((f) => f.kind === kind) as ModelFacts
}

/** The config fields `kind`'s builder reads, shared ones first. */
export function modelFields(kind: ModelKind): readonly ModelField[] {
  return [...facts[kind].sharedFields, ...modelOptions(kind)]
}

/** A field's name in words, for `kind` ("init filters" for SegResNet's baseChannels). */
export function modelFieldName(kind: ModelKind, field: ModelField): string {
  const names: Record<ModelField, string> = {
    depth: 'depth',
    baseChannels: facts[kind].baseChannelsName,
    normalisation: 'norm',
    blocksDown: 'blocks down',
    blocksUp: 'blocks up',
    hiddenSize: 'hidden size',
    layers: 'layers',
    heads: 'heads',
    mlpDim: 'MLP width',
    patchEdge: 'ViT patch',
    imageSize: 'image size',
    size: 'size',
  }
  return names[field]
}

/** A field's value in words ("1,2,2,4", "32×32×32", "b3"). */
export function modelFieldValue(field: ModelField, value: unknown): string {
  if (Array.isArray(value)) return value.join(field === 'imageSize' ? '×' : ',')
  return String(value)
}

/** The resolved config, or the config as given where it does not resolve (an old record): descriptions never throw. */
function resolvedOrGiven(config: ModelConfig): ModelConfig {
  try {
    return resolveModelConfig(config)
  } catch {
    return config
  }
}

/**
 * The model in words, every field its kind reads with the kind's defaults filled in:
 * "unet2d, depth 3, base channels 16, norm batch", "segresnet3d, init filters 8, blocks down 1,2,2,4, blocks up 1,1,1".
 */
export function describeModelConfig(config: ModelConfig): string {
  const c = resolvedOrGiven(config)
  const parts = modelFields(c.kind)
    .filter((f) => c[f] !== undefined)
    .map((f) => `${modelFieldName(c.kind, f)} ${modelFieldValue(f, c[f])}`)
  return [c.kind, ...parts].join(', ')
}

/**
 * How two model configs differ, field by field after both are resolved ([] when they describe the same net):
 * "kind unet2d vs segresnet3d", "blocks down 1,2,2,4 vs 1,1". Every field the kind reads counts (its options, UNETR's
 * image size), not one it ignores (a SegResNet's depth), so a checkpoint is taken exactly for the net it was trained as.
 */
export function modelConfigDifferences(a: ModelConfig, b: ModelConfig): string[] {
  const ra = resolvedOrGiven(a)
  const rb = resolvedOrGiven(b)
  if (ra.kind !== rb.kind) return [`kind ${ra.kind} vs ${rb.kind}`]
  const text = (c: ModelConfig, f: ModelField): string => (c[f] === undefined ? 'unset' : modelFieldValue(f, c[f]))
  return modelFields(ra.kind)
    .filter((f) => text(ra, f) !== text(rb, f))
    .map((f) => `${modelFieldName(ra.kind, f)} ${text(ra, f)} vs ${text(rb, f)}`)
}

/**
 * What every spatial input size must be a multiple of, and why in the model's own terms: "8 (2^depth: depth 3)",
 * "16 (its ViT patch edge)".
 */
export function modelSizeRule(config: ModelConfig): { multiple: number; rule: string } {
  const c = resolveModelConfig(config)
  const multiple = modelSizeMultiple(c)
  switch (c.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
    case 'inception-unet2d':
      return { multiple, rule: `${multiple} (2^depth: ${c.kind} halves the size ${c.depth} times)` }
    case 'segresnet2d':
    case 'segresnet3d': {
      const levels = (c.blocksDown as number[]).length
      return { multiple, rule: `${multiple} (${c.kind} halves the size ${levels - 1} times: blocksDown has ${levels} levels)` }
    }
    case 'unetr3d':
      return { multiple, rule: `${multiple} (unetr3d's ViT patch edge, --vit-patch)` }
    case 'segformer2d':
      return { multiple, rule: `${multiple} (segformer2d's encoder reduces the size 32-fold: a stride-4 patch embedding, then three stride-2 ones)` }
  }
}
