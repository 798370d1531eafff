/**
 * SegFormer's sizes and its trainable parameters in closed form, as src/main/core/training/models/segformer.ts builds
 * it (its header is the specification): the Mix Transformer encoder MiT-B0…B3 (Xie et al. 2021, Table 6, as the
 * authors' mit_b0…b3) and the all-MLP decoder (mmseg's SegFormerHead). The builder reads its sizes from here.
 */
import type { ModelConfig, SegformerSize } from '../training'

type Four = readonly [number, number, number, number]

/** One SegFormer size: the encoder's four stages and the decoder's width. */
export interface MitSize {
  /** Token width of each stage (C1…C4). */
  readonly embedDims: Four
  /** Transformer blocks per stage. */
  readonly depths: Four
  readonly heads: Four
  /** Sequence-reduction ratio of each stage's attention (1 = none). */
  readonly srRatios: Four
  /** The all-MLP decoder's width (256 for B0/B1, 768 for B2/B3 in the authors' configs). */
  readonly decoderDim: number
}

const mitHeads: Four = [1, 2, 5, 8]
const mitSrRatios: Four = [8, 4, 2, 1]

/** MiT-B0…B3 with their decoder widths. */
export const mitSizes: Readonly<Record<SegformerSize, MitSize>> = {
  b0: { embedDims: [32, 64, 160, 256], depths: [2, 2, 2, 2], heads: mitHeads, srRatios: mitSrRatios, decoderDim: 256 },
  b1: { embedDims: [64, 128, 320, 512], depths: [2, 2, 2, 2], heads: mitHeads, srRatios: mitSrRatios, decoderDim: 256 },
  b2: { embedDims: [64, 128, 320, 512], depths: [3, 4, 6, 3], heads: mitHeads, srRatios: mitSrRatios, decoderDim: 768 },
  b3: { embedDims: [64, 128, 320, 512], depths: [3, 4, 18, 3], heads: mitHeads, srRatios: mitSrRatios, decoderDim: 768 },
}

/** MLP ratio of every Mix-FFN (hidden = 4·C). */
export const MIT_MLP_RATIO = 4

/** The patch embeddings' kernel and stride: 7×7 stride 4 into stage 1, 3×3 stride 2 into the others. */
export function mitPatchKernel(stage: number): { readonly kernel: number; readonly stride: number } {
  return stage === 0 ? { kernel: 7, stride: 4 } : { kernel: 3, stride: 2 }
}

/** The channels the encoder reads: a grayscale input is duplicated to RGB (as the paper does), others as they come. */
export function segformerEncoderChannels(inChannels: number): number {
  return inChannels === 1 ? 3 : inChannels
}

/** Parameters of the MiT encoder of `size` for `inChannels` input channels (the ones it reads; see above). */
export function mitEncoderParameterCount(size: MitSize, inChannels: number): number {
  let n = 0
  size.embedDims.forEach((c, i) => {
    const { kernel } = mitPatchKernel(i)
    const cin = i === 0 ? segformerEncoderChannels(inChannels) : (size.embedDims[i - 1] as number)
    n += kernel * kernel * cin * c + c + 2 * c // patch embedding conv with bias, its LayerNorm
    const r = size.srRatios[i] as number
    const hidden = MIT_MLP_RATIO * c
    const attention = (c * c + c) + (2 * c * c + 2 * c) + (c * c + c) + (r > 1 ? r * r * c * c + c + 2 * c : 0)
    const mixFfn = (c * hidden + hidden) + (9 * hidden + hidden) + (hidden * c + c)
    n += (size.depths[i] as number) * (2 * c + attention + 2 * c + mixFfn) + 2 * c // blocks, the stage's LayerNorm
  })
  return n
}

/** Parameters of the all-MLP decoder: four linears to E, a bias-free 1×1 fuse 4E → E with batch norm, a 1×1 to K. */
export function segformerDecoderParameterCount(size: MitSize, numClasses: number): number {
  const e = size.decoderDim
  const linears = size.embedDims.reduce((n, c) => n + c * e + e, 0)
  return linears + 4 * e * e + 2 * e + e * numClasses + numClasses
}

/** Parameters of the SegFormer of the resolved `config` (size filled in). */
export function segformerParameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  if (!config.size) throw new Error('segformer2d: resolve the config first (size is missing)')
  const size = mitSizes[config.size]
  return mitEncoderParameterCount(size, inChannels) + segformerDecoderParameterCount(size, numClasses)
}
