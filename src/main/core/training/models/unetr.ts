/**
 * UNETR (Hatamizadeh et al. 2022) as MONAI's `UNETR` defines it, 3D, channels last. Its module tree and attribute
 * names are MONAI's, so our variable names are the keys of a MONAI state dict (and of the PyTorch twin,
 * src/main/bench/pytorch/twins/unetr.py). Notation: input [B, D, H, W, Cin] of exactly `imageSize`, ViT patch edge
 * p, grid g = imageSize/p (n = g_D·g_H·g_W tokens), hidden width h, L layers (a multiple of 4), feature size F
 * (= baseChannels), K classes.
 *
 *   vit.patch_embedding      conv p³ stride p (`patch_embeddings`, with bias) → tokens [B, n, h]
 *                            + `position_embeddings` [1, n, h] (learned)
 *   vit.blocks.{i}, i < L    x += attn(norm1(x)); x += mlp(norm2(x))  (transformer.ts: SABlock with qkv without
 *                            bias and out_proj; MLP linear1 → GELU → linear2; LayerNorm ε 1e-5)
 *   vit.norm                 LayerNorm of the last block's output
 *   hidden states z_j        the output of block j (before vit.norm); the skips take j = L/4, L/2, 3L/4 (3, 6, 9 of 12)
 *   encoder1                 UnetResBlock Cin → F on the input itself
 *   encoder2 / 3 / 4         UnetrPrUpBlock on z_{L/4}, z_{L/2}, z_{3L/4} as grids [B, g, h]: transp_conv_init h → c,
 *                            then 2 / 1 / 0 `blocks.{j}` of (transposed conv c → c, UnetResBlock c → c);
 *                            c = 2F / 4F / 8F
 *   decoder5 / 4 / 3 / 2     UnetrUpBlock: transp_conv in → out, concatenate [up-sampled, skip] (up-sampled first),
 *                            conv_block = UnetResBlock 2·out → out; decoder5 h → 8F on vit.norm's output with skip
 *                            encoder4, decoder4 8F → 4F (encoder3), decoder3 4F → 2F (encoder2), decoder2 2F → F
 *                            (encoder1)
 *   out                      UnetOutBlock: 1×1×1 conv F → K with bias: logits
 *
 * UnetResBlock (MONAI's dynunet block): conv1 3³ (in → out) → norm1 → LeakyReLU(0.01) → conv2 3³ → norm2, plus the
 * residual (conv3 1³ → norm3 when in ≠ out, else the input), then LeakyReLU. Every conv and transposed conv of the
 * CNN part is bias-free (MONAI's get_conv_layer) except `out`. Norms are MONAI's default 'instance':
 * InstanceNorm3d without affine parameters (so they hold no variables), ε 1e-5. Dropout 0.
 *
 * Up-sampling: MONAI fixes p = 16, and each of the four stages from the token grid to the input doubles (transposed
 * convs of kernel = stride = 2). For p = 2^k < 16 the finest k stages double and the coarser ones keep their size
 * with kernel = stride = 1 (MONAI's blocks built with upsample_kernel_size 1), so the decoder still has its four
 * stages and every skip meets a decoder output of its size; p must be a power of two up to 16.
 *
 * Init as MONAI leaves it: PyTorch defaults (U(±1/√fan_in)) for convs, transposed convs and the blocks' linear
 * layers; position embeddings truncated N(0, 0.02²); LayerNorm γ = 1, β = 0. Weights are drawn in state-dict
 * order. Layouts (params.ts): convs 'conv', transposed convs 'conv-transpose', linears 'linear', the rest 'same'.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../../shared/errors'
import { modelOptionFlags, resolveModelConfig } from '../../../../shared/models'
import { unetrStageFactor } from '../../../../shared/param-counts/unetr'
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { registerConv3dTransposeGradient } from './conv3d-transpose-grad'
import { convFanIn, transposedConvFanIn } from './init'
import { filterInputs } from './layers'
import { groupNorm } from './group-norm'
import type { NetParams } from './params'
import { buildNet, checkChannels } from './torch-named'
import { layerNorm, vitMlp, vitSelfAttention } from './transformer'
import type { ConfiguredNet } from './unet'

/** MONAI's ViT LayerNorms are torch's default. */
const VIT_LAYER_NORM_EPSILON = 1e-5
const LEAKY_SLOPE = 0.01
/** MONAI's fixed patch edge: four doubling stages. */
const MAX_PATCH_EDGE = 16

type Grid = readonly [number, number, number]

/** The resolved UNETR options with imageSize checked. */
interface UnetrShape {
  readonly hidden: number
  readonly layers: number
  readonly heads: number
  readonly mlpDim: number
  readonly patchEdge: number
  readonly imageSize: Grid
  readonly features: number
}

/** The resolved options, refusing a missing image size, a patch edge the decoder cannot take, an image it does not tile. */
function unetrShape(config: ModelConfig): UnetrShape {
  const c = resolveModelConfig(config)
  const patchEdge = c.patchEdge as number
  if (!c.imageSize) throw new InputError(modelOptionFlags.imageSize, 'unetr3d needs imageSize: the input size its position embedding is built for (the training patch)')
  if (patchEdge > MAX_PATCH_EDGE || (patchEdge & (patchEdge - 1)) !== 0) {
    throw new InputError(modelOptionFlags.patchEdge, `unetr3d's ViT patch must be a power of two up to ${MAX_PATCH_EDGE} (its four up-sampling stages double at most once each), got ${patchEdge}`)
  }
  const imageSize = c.imageSize
  if (imageSize.some((s) => s % patchEdge !== 0)) {
    throw new InputError(modelOptionFlags.imageSize, `unetr3d's input ${imageSize.join('×')} is not a multiple of its ViT patch ${patchEdge} in every axis`)
  }
  return { hidden: c.hiddenSize as number, layers: c.layers as number, heads: c.heads as number, mlpDim: c.mlpDim as number, patchEdge, imageSize, features: c.baseChannels }
}

/**
 * Non-affine instance norm (MONAI's InstanceNorm3d default, ε 1e-5): group norm with one group per channel and γ = 1,
 * β = 0, for its hand-written gradient. normalisation.ts's instanceNorm is differentiated op by op, and on wasm the
 * gradient of its whole-map average pools (AvgPoolGrad) took 4 s per call at 32³×16: 52 of a 63 s step.
 */
function plainInstanceNorm(x: tf.Tensor): tf.Tensor {
  const c = x.shape[x.rank - 1] as number
  return groupNorm(x, tf.ones([c]), tf.zeros([c]), c)
}

/** A bias-free 1³ conv [1,1,1,in,out] as one matrix product. */
function pointwise(x: tf.Tensor, w: tf.Tensor, inC: number, outC: number): tf.Tensor {
  const y = tf.matMul(tf.reshape(x, [x.size / inC, inC]) as tf.Tensor2D, tf.reshape(w, [inC, outC]) as tf.Tensor2D)
  return tf.reshape(y, [...x.shape.slice(0, -1), outC])
}

/** MONAI's bias-free transposed conv with kernel = stride = f (1 or 2), `${name}.conv.weight` [f,f,f,out,in]. */
function transposedConv(params: NetParams, name: string, inC: number, outC: number, f: 1 | 2): (x: tf.Tensor) => tf.Tensor {
  const shape = [f, f, f, outC, inC]
  const w = params.uniform(`${name}.conv.weight`, shape, transposedConvFanIn(shape), 'conv-transpose')
  if (f === 1) return (x) => pointwise(x, tf.transpose(tf.reshape(w, [outC, inC])), inC, outC)
  registerConv3dTransposeGradient()
  return (x) => {
    const [n, d, h, wd] = x.shape as [number, number, number, number, number]
    return tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, [n, 2 * d, 2 * h, 2 * wd, outC], 2, 'valid')
  }
}

/**
 * A convolution of the channel-concatenation of `parts` (their channel counts) with filter w [k,k,k,Σ parts, out],
 * computed part by part with the filter's input-channel blocks: Σ_i conv(x_i, W_i) equals conv([x_0, x_1, …], W)
 * without building the concatenation, whose gradient (a split of a full-resolution 5-D tensor) took seconds on wasm.
 * The blocks are cut through layers.ts's 2-D view of the filter (a 5-D slice took 0.4 s for [3,3,3,256,128]).
 */
function convOfParts(xs: readonly tf.Tensor[], w: tf.Tensor, parts: readonly number[]): tf.Tensor {
  const [k, , , , outC] = w.shape as [number, number, number, number, number]
  const conv = (x: tf.Tensor, filter: tf.Tensor): tf.Tensor =>
    k === 1 ? pointwise(x, filter, filter.shape[3] as number, outC) : tf.conv3d(x as tf.Tensor5D, filter as tf.Tensor5D, 1, 'same')
  if (xs.length !== parts.length) throw new Error(`expected ${parts.length} inputs, got ${xs.length}`)
  if (parts.length === 1) return conv(xs[0] as tf.Tensor, w)
  let from = 0
  return tf.addN(
    xs.map((x, i) => {
      const count = parts[i] as number
      const filter = filterInputs(w, from, count)
      from += count
      return conv(x, filter)
    }),
  )
}

/**
 * MONAI's UnetResBlock (stride 1, kernel 3, instance norm, LeakyReLU 0.01) over the channel-concatenation of its
 * inputs (`parts` channels each: one input, or a decoder's [up-sampled, skip]); see the module comment.
 */
function resBlock(params: NetParams, name: string, parts: readonly number[], outC: number): (xs: readonly tf.Tensor[]) => tf.Tensor {
  const inC = parts.reduce((a, b) => a + b, 0)
  const conv = (which: string, cin: number, k: number): tf.Variable => {
    const shape = [k, k, k, cin, outC]
    return params.uniform(`${name}.${which}.conv.weight`, shape, convFanIn(shape))
  }
  const w1 = conv('conv1', inC, 3)
  const w2 = conv('conv2', outC, 3)
  const w3 = inC !== outC ? conv('conv3', inC, 1) : null
  return (xs) => {
    const h = tf.leakyRelu(plainInstanceNorm(convOfParts(xs, w1, parts)), LEAKY_SLOPE)
    const out = plainInstanceNorm(convOfParts([h], w2, [outC]))
    const residual = w3 === null ? (xs[0] as tf.Tensor) : plainInstanceNorm(convOfParts(xs, w3, parts))
    return tf.leakyRelu(tf.add(out, residual), LEAKY_SLOPE)
  }
}

/** MONAI's ViT TransformerBlock: x + attn(norm1(x)), then + mlp(norm2(x)); created in state-dict order. */
function vitBlock(params: NetParams, name: string, s: UnetrShape): (x: tf.Tensor) => tf.Tensor {
  const mlp = vitMlp(params, `${name}.mlp`, s.hidden, s.mlpDim)
  const norm1 = layerNorm(params, `${name}.norm1`, s.hidden, VIT_LAYER_NORM_EPSILON)
  const attn = vitSelfAttention(params, `${name}.attn`, s.hidden, s.heads)
  const norm2 = layerNorm(params, `${name}.norm2`, s.hidden, VIT_LAYER_NORM_EPSILON)
  return (x) => {
    const y = tf.add(x, attn(norm1(x)))
    return tf.add(y, mlp(norm2(y)))
  }
}

/** UnetrPrUpBlock: transp_conv_init h → c, then `blocks.{j}` (transposed conv c → c, UnetResBlock c → c). */
function prUpBlock(params: NetParams, name: string, inC: number, outC: number, factors: readonly (1 | 2)[]): (x: tf.Tensor) => tf.Tensor {
  const init = transposedConv(params, `${name}.transp_conv_init`, inC, outC, factors[0] as 1 | 2)
  const blocks = factors.slice(1).map((f, j) => {
    const up = transposedConv(params, `${name}.blocks.${j}.0`, outC, outC, f)
    const res = resBlock(params, `${name}.blocks.${j}.1`, [outC], outC)
    return (x: tf.Tensor) => res([up(x)])
  })
  return (x) => blocks.reduce((h, block) => block(h), init(x))
}

/** UnetrUpBlock: transp_conv in → out, concatenation [up-sampled, skip], conv_block UnetResBlock 2·out → out. */
function upBlock(params: NetParams, name: string, inC: number, outC: number, f: 1 | 2): (x: tf.Tensor, skip: tf.Tensor) => tf.Tensor {
  const up = transposedConv(params, `${name}.transp_conv`, inC, outC, f)
  const res = resBlock(params, `${name}.conv_block`, [outC, outC], outC)
  return (x, skip) => res([up(x), skip])
}

/** Builds MONAI's UNETR for `config` (unetr3d; its options resolved, imageSize required). */
export function buildUnetr(config: ModelConfig, options: { readonly inChannels: number; readonly numClasses: number; readonly rng: Rng }): ConfiguredNet {
  const { inChannels, numClasses } = options
  if (config.kind !== 'unetr3d') throw new Error(`buildUnetr builds unetr3d, not ${config.kind}`)
  checkChannels(inChannels, numClasses)
  const s = unetrShape(config)
  const p = s.patchEdge
  const grid = s.imageSize.map((v) => v / p) as unknown as Grid
  const tokens = grid[0] * grid[1] * grid[2]
  const F = s.features
  const factor = (stage: number): 1 | 2 => unetrStageFactor(p, stage)
  return buildNet(options.rng, (params) => {
    const positions = params.normal('vit.patch_embedding.position_embeddings', [1, tokens, s.hidden], 0.02, 'same', true)
    const patchShape = [p, p, p, inChannels, s.hidden]
    const patchFanIn = convFanIn(patchShape)
    const patchW = params.uniform('vit.patch_embedding.patch_embeddings.weight', patchShape, patchFanIn, 'conv')
    const patchB = params.uniform('vit.patch_embedding.patch_embeddings.bias', [s.hidden], patchFanIn, 'same')
    const blocks = Array.from({ length: s.layers }, (_, i) => vitBlock(params, `vit.blocks.${i}`, s))
    const vitNorm = layerNorm(params, 'vit.norm', s.hidden, VIT_LAYER_NORM_EPSILON)
    const encoder1 = resBlock(params, 'encoder1.layer', [inChannels], F)
    // Stage factors coarse to fine: decoder5 (3), decoder4 (2), decoder3 (1), decoder2 (0).
    const encoder2 = prUpBlock(params, 'encoder2', s.hidden, 2 * F, [factor(3), factor(2), factor(1)])
    const encoder3 = prUpBlock(params, 'encoder3', s.hidden, 4 * F, [factor(3), factor(2)])
    const encoder4 = prUpBlock(params, 'encoder4', s.hidden, 8 * F, [factor(3)])
    const decoder5 = upBlock(params, 'decoder5', s.hidden, 8 * F, factor(3))
    const decoder4 = upBlock(params, 'decoder4', 8 * F, 4 * F, factor(2))
    const decoder3 = upBlock(params, 'decoder3', 4 * F, 2 * F, factor(1))
    const decoder2 = upBlock(params, 'decoder2', 2 * F, F, factor(0))
    const outW = params.uniform('out.conv.conv.weight', [1, 1, 1, F, numClasses], F)
    const outB = params.uniform('out.conv.conv.bias', [numClasses], F, 'same')
    const quarter = s.layers / 4

    const apply = (x: tf.Tensor): tf.Tensor => {
      checkInput(x, inChannels, s.imageSize)
      return tf.tidy(() => {
        const b = x.shape[0] as number
        const embedded = tf.conv3d(x as tf.Tensor5D, patchW as tf.Tensor5D, p, 'valid')
        let t = tf.add(tf.reshape(tf.add(embedded, patchB), [b, tokens, s.hidden]), positions)
        const hiddenStates: tf.Tensor[] = []
        for (const block of blocks) {
          t = block(t)
          hiddenStates.push(t)
        }
        const asGrid = (z: tf.Tensor): tf.Tensor => tf.reshape(z, [b, ...grid, s.hidden])
        const enc1 = encoder1([x])
        const enc2 = encoder2(asGrid(hiddenStates[quarter] as tf.Tensor))
        const enc3 = encoder3(asGrid(hiddenStates[2 * quarter] as tf.Tensor))
        const enc4 = encoder4(asGrid(hiddenStates[3 * quarter] as tf.Tensor))
        const dec3 = decoder5(asGrid(vitNorm(t)), enc4)
        const dec2 = decoder4(dec3, enc3)
        const dec1 = decoder3(dec2, enc2)
        const out = decoder2(dec1, enc1)
        return tf.add(pointwise(out, outW, F, numClasses), outB)
      })
    }
    // No batch statistics anywhere (instance and layer norms, dropout 0): training and inference agree.
    return { kind: 'unetr3d', dims: 3, inChannels, numClasses, sizeMultiple: p, config: { ...config }, apply: (x) => apply(x) }
  })
}

/** Throws unless x is [N, D, H, W, inChannels] with (D, H, W) = imageSize. */
function checkInput(x: tf.Tensor, inChannels: number, imageSize: Grid): void {
  if (x.rank !== 5) throw new Error(`unetr3d: input must have rank 5 ([N, D, H, W, C]), got shape [${x.shape.join(', ')}]`)
  if (x.shape[4] !== inChannels) throw new Error(`unetr3d: input has ${x.shape[4]} channels, the net expects ${inChannels}`)
  const spatial = x.shape.slice(1, 4)
  if (spatial.some((v, i) => v !== imageSize[i])) {
    throw new Error(`unetr3d: input size ${spatial.join('×')} is not the ${imageSize.join('×')} its position embedding was built for (UNETR takes one fixed input size)`)
  }
}
