/**
 * Trainable parameters of UNETR (unetr3d) in closed form, as src/main/core/training/models/unetr.ts builds it after
 * MONAI's UNETR (its header is the specification): a ViT (conv patch embedding with bias, learned position
 * embeddings, L blocks of LayerNorm → self-attention (qkv without bias, out_proj with) → LayerNorm → MLP, a final
 * LayerNorm) and a CNN decoder of bias-free convs and transposed convs with non-affine instance norms (no
 * parameters), a 1×1×1 output conv with bias. Also the up-sampling factor of each decoder stage, which the builder
 * reads from here.
 */
import type { ModelConfig } from '../training'

/**
 * The up-sampling factor (kernel = stride) of decoder stage `stage` (0 = decoder2, the finest, … 3 = decoder5) for a
 * ViT patch edge p = 2^k ≤ 16: the finest k stages double, the rest keep their size (MONAI's p = 16: all four double).
 */
export function unetrStageFactor(patchEdge: number, stage: number): 1 | 2 {
  return stage < Math.log2(patchEdge) ? 2 : 1
}

/** Parameters of the UNETR of the resolved `config` (ViT options and imageSize filled in). */
export function unetrParameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  const { hiddenSize: h, layers, mlpDim: m, patchEdge: p, imageSize } = config
  if (h === undefined || layers === undefined || m === undefined || p === undefined) throw new Error('unetr3d: resolve the config first (its ViT options are missing)')
  if (!imageSize) throw new Error('unetr3d: the parameter count needs imageSize (the position embedding has one row per ViT patch of the input)')
  const F = config.baseChannels
  const tokens = imageSize.reduce((a, s) => a * Math.floor(s / p), 1)
  const layerNorm = 2 * h
  // norm1, qkv (no bias), out_proj, norm2, linear1, linear2.
  const block = layerNorm + 3 * h * h + (h * h + h) + layerNorm + (h * m + m) + (m * h + h)
  const vit = p ** 3 * inChannels * h + h + tokens * h + layers * block + layerNorm
  // UnetResBlock in → out: two 3³ convs, and a 1³ conv on the residual when in ≠ out (no biases, no norm weights).
  const resBlock = (cin: number, cout: number): number => 27 * cin * cout + 27 * cout * cout + (cin !== cout ? cin * cout : 0)
  const up = (stage: number, cin: number, cout: number): number => unetrStageFactor(p, stage) ** 3 * cin * cout
  // A projection-up path from the tokens through stages 3, 2, … down to `last`, ending with c channels.
  const prUp = (c: number, last: number): number => {
    let n = up(3, h, c)
    for (let stage = 2; stage >= last; stage--) n += up(stage, c, c) + resBlock(c, c)
    return n
  }
  const encoders = resBlock(inChannels, F) + prUp(2 * F, 1) + prUp(4 * F, 2) + prUp(8 * F, 3)
  const decoder = (stage: number, cin: number, cout: number): number => up(stage, cin, cout) + resBlock(2 * cout, cout)
  const decoders = decoder(3, h, 8 * F) + decoder(2, 8 * F, 4 * F) + decoder(1, 4 * F, 2 * F) + decoder(0, 2 * F, F)
  return vit + encoders + decoders + F * numClasses + numClasses
}
