/**
 * Per-kind facts about model configs that the doors and the engine share: which options a kind takes, their
 * defaults for that kind, and the input-size multiple it needs. The config itself is defined once, in
 * training.ts (ModelConfigSchema); the builders live in src/main/core/training/models/.
 */
import { InputError } from './errors'
import type { ModelConfig, ModelKind, SegformerSize } from './training'

/** The kind-specific options of ModelConfig (the four shared ones always apply). */
export const modelOptionKeys = ['blocksDown', 'blocksUp', 'hiddenSize', 'layers', 'heads', 'mlpDim', 'patchEdge', 'imageSize', 'size'] as const
export type ModelOptionKey = (typeof modelOptionKeys)[number]

const optionsOf: Record<ModelKind, readonly ModelOptionKey[]> = {
  unet2d: [],
  'attention-unet2d': [],
  unet3d: [],
  'inception-unet2d': [],
  segresnet2d: ['blocksDown', 'blocksUp'],
  segresnet3d: ['blocksDown', 'blocksUp'],
  unetr3d: ['hiddenSize', 'layers', 'heads', 'mlpDim', 'patchEdge', 'imageSize'],
  segformer2d: ['size'],
}

/** The options `kind` takes besides kind, depth, baseChannels and normalisation. */
export function modelOptions(kind: ModelKind): readonly ModelOptionKey[] {
  return optionsOf[kind]
}

/** MONAI's defaults (SegResNet, UNETR) and SegFormer's smallest size. */
export const modelOptionDefaults = {
  blocksDown: [1, 2, 2, 4],
  blocksUp: [1, 1, 1],
  hiddenSize: 768,
  layers: 12,
  heads: 12,
  mlpDim: 3072,
  patchEdge: 16,
  size: 'b0' as SegformerSize,
} as const

/** SegResNet's group norm (MONAI's default: 8 groups), so its init filters are a multiple of it. */
export const segresnetGroups = 8

/** Where the option is given on the command line (for errors that name what the user typed). */
export const modelOptionFlags: Record<ModelOptionKey, string> = {
  blocksDown: '--blocks-down',
  blocksUp: '--blocks-up',
  hiddenSize: '--hidden-size',
  layers: '--layers',
  heads: '--heads',
  mlpDim: '--mlp-dim',
  patchEdge: '--vit-patch',
  imageSize: '--patch',
  size: '--size',
}

/**
 * The config with `kind`'s option defaults filled in (imageSize stays as given: resolve-job sets it from the
 * training patch). An option that `kind` does not take is refused by name, as is an inconsistent combination or a
 * size its builder cannot make (so a run is refused before it is recorded, not failed in its worker).
 */
export function resolveModelConfig(config: ModelConfig): ModelConfig {
  const allowed = new Set(optionsOf[config.kind])
  for (const key of modelOptionKeys) {
    if (config[key] !== undefined && !allowed.has(key)) {
      throw new InputError(modelOptionFlags[key], `${config.kind} has no option ${key} (it is an option of ${kindsTaking(key).join(', ')})`)
    }
  }
  const out: ModelConfig = { ...config }
  for (const key of allowed) {
    if (key !== 'imageSize' && out[key] === undefined) Object.assign(out, { [key]: structuredClone(modelOptionDefaults[key]) })
  }
  if (config.kind === 'segresnet2d' || config.kind === 'segresnet3d') {
    const down = out.blocksDown as number[]
    const up = out.blocksUp as number[]
    if (up.length !== down.length - 1) {
      throw new InputError('--blocks-up', `${config.kind} needs one level up fewer than down: blocksDown has ${down.length} levels, blocksUp ${up.length}`)
    }
  }
  if ((config.kind === 'segresnet2d' || config.kind === 'segresnet3d') && out.baseChannels % segresnetGroups !== 0) {
    throw new InputError('--base', `${config.kind}: baseChannels (MONAI's init_filters) must be a multiple of ${segresnetGroups} for its group norm of ${segresnetGroups} groups, got ${out.baseChannels}`)
  }
  if (config.kind === 'inception-unet2d' && out.baseChannels < 4) {
    throw new InputError('--base', `inception-unet2d shares each block's width over its four branches: baseChannels must be at least 4 (one channel a branch), got ${out.baseChannels}`)
  }
  if (config.kind === 'unetr3d') {
    const { hiddenSize, heads, layers, patchEdge } = out as Required<ModelConfig>
    if (hiddenSize % heads !== 0) throw new InputError('--hidden-size', `UNETR's hidden size ${hiddenSize} must be a multiple of its heads (${heads})`)
    if (layers % 4 !== 0) throw new InputError('--layers', `UNETR takes its skips from layers 3, 6, 9 and 12 of 12 (every quarter): layers must be a multiple of 4, got ${layers}`)
    if (patchEdge > 16 || (patchEdge & (patchEdge - 1)) !== 0) {
      throw new InputError('--vit-patch', `UNETR's ViT patch must be a power of two up to 16 (its four up-sampling stages double at most once each), got ${patchEdge}`)
    }
  }
  return out
}

function kindsTaking(key: ModelOptionKey): ModelKind[] {
  return (Object.keys(optionsOf) as ModelKind[]).filter((k) => optionsOf[k].includes(key))
}

/** Every spatial input size must be a multiple of this (UNETR: of its ViT patch; its imageSize is exact). */
export function modelSizeMultiple(config: ModelConfig): number {
  const c = resolveModelConfig(config)
  switch (c.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
    case 'inception-unet2d':
      return 2 ** c.depth
    case 'segresnet2d':
    case 'segresnet3d':
      return 2 ** ((c.blocksDown as number[]).length - 1)
    case 'unetr3d':
      return c.patchEdge as number
    case 'segformer2d':
      return 32
  }
}
