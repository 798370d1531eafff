/**
 * SegFormer (Xie et al. 2021), 2D, channels last: the Mix Transformer encoder MiT-B0…B3 as the authors' mit_bX and
 * the all-MLP decoder as mmseg's SegFormerHead. Variable names are their state-dict keys under `backbone.` and
 * `decode_head.` (an mmseg SegFormer checkpoint's), so a state dict loads by name and layout; the PyTorch twin is
 * src/main/bench/pytorch/twins/segformer.py. Sizes: src/shared/param-counts/segformer.ts (mitSizes).
 *
 * Input [N, H, W, Cin], H and W multiples of 32; a grayscale input is duplicated to 3 channels (as the paper does,
 * so 3-channel pretrained patch embeddings load unchanged). Stage i = 1…4 of width C_i at 1/4, 1/8, 1/16, 1/32:
 *   backbone.patch_embed{i}   conv 7×7 stride 4 pad 3 (stage 1) or 3×3 stride 2 pad 1, with bias (`proj`), then
 *                             LayerNorm (`norm`, ε 1e-5) of the tokens [N, h·w, C_i]
 *   backbone.block{i}.{j}     x += attn(norm1(x)); x += mlp(norm2(x)) with LayerNorms ε 1e-6;
 *                             attn = efficient self-attention (transformer.ts: q; kv from the tokens reduced by a
 *                             conv of kernel = stride = sr_i (`sr`) and LayerNorm (`norm`, ε 1e-5) when sr_i > 1;
 *                             proj); mlp = Mix-FFN: fc1 C → 4C, 3×3 depth-wise conv with bias (`dwconv.dwconv`) on
 *                             the h×w grid, exact GELU, fc2 4C → C
 *   backbone.norm{i}          LayerNorm (ε 1e-6) of the stage's output, which is the stage's feature map c_i
 *   decode_head.linear_c{i}   `proj` linear C_i → E with bias on c_i; c_2, c_3, c_4 resized bilinearly to c_1's size
 *   decode_head.linear_fuse   concatenation [c_4, c_3, c_2, c_1] (that order), 1×1 conv 4E → E without bias (`conv`),
 *                             batch norm (`bn`, momentum 0.1, ε 1e-5), ReLU
 *   decode_head.linear_pred   1×1 conv E → K with bias: logits at 1/4, resized bilinearly to H×W
 * Bilinear resizing is align_corners=False (resize.ts). Dropout and drop path are 0 (deterministic).
 *
 * Init as the authors': linear weights truncated N(0, 0.02²) with zero biases, LayerNorm γ = 1, β = 0, encoder convs
 * N(0, 2/fan_out) (fan_out = k²·C_out/groups) with zero biases; the decoder as mmseg builds it: PyTorch defaults for
 * the linears and linear_pred, Kaiming-normal fan_out (N(0, 2/E)) for the fuse conv, batch norm γ = 1, β = 0, running
 * mean 0 and variance 1. Weights are drawn in state-dict order.
 */
import * as tf from '@tensorflow/tfjs'
import { resolveModelConfig } from '../../../../shared/models'
import { MIT_MLP_RATIO, mitPatchKernel, mitSizes, segformerEncoderChannels, type MitSize } from '../../../../shared/param-counts/segformer'
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import type { NetParams } from './params'
import { resizeBilinear } from './resize'
import { buildNet, checkChannels, checkNetInput, torchNorm } from './torch-named'
import { efficientSelfAttention, gelu, layerNorm, linear, TORCH_LAYER_NORM_EPSILON } from './transformer'
import type { ConfiguredNet } from './unet'

/** The authors' norm_layer for blocks and stage outputs: LayerNorm with ε 1e-6. */
const MIT_LAYER_NORM_EPSILON = 1e-6
/** Four stages, the last at 1/32 (and stage 1's reduction by 8 at 1/4 needs 1/32 too). */
const SIZE_MULTIPLE = 32

/** Options of {@link buildSegformer}; `size` overrides config.size (the specs' tiny sizes only). */
export interface SegformerOptions {
  readonly inChannels: number
  readonly numClasses: number
  readonly rng: Rng
  readonly size?: MitSize
}

/**
 * A 3×3 depth-wise convolution ('same', stride 1) of x [N, H, W, C] with filter [3, 3, C, 1]. The forward pass is
 * TF.js's depthwiseConv2d; its gradient is written here because wasm has no depth-wise backprop kernels:
 *   dx = depthwiseConv2d(dy, the filter flipped in both axes)   (the adjoint of a 'same' odd-kernel correlation)
 *   dW[ky, kx, c] = Σ_{n,y,x} x̃[n, y + ky, x + kx, c] · dy[n, y, x, c]   (x̃: x zero-padded by 1)
 */
export function depthwiseConv3x3(x: tf.Tensor, filter: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...inputs) => {
    const [input, w, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([input, w])
    return {
      value: tf.depthwiseConv2d(input, w, 1, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D]
        const [n, h, wd, c] = xs.shape
        const dx = tf.depthwiseConv2d(dy as tf.Tensor4D, tf.reverse(ws, [0, 1]) as tf.Tensor4D, 1, 'same')
        const padded = tf.pad(xs, [[0, 0], [1, 1], [1, 1], [0, 0]])
        const dyRows = tf.reshape(dy, [n * h * wd, c])
        const taps: tf.Tensor[] = []
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const shifted = tf.reshape(tf.slice(padded, [0, ky, kx, 0], [n, h, wd, c]), [n * h * wd, c])
            taps.push(tf.sum(tf.mul(shifted, dyRows), 0))
          }
        }
        return [dx, tf.reshape(tf.stack(taps), [3, 3, c, 1])]
      },
    }
  })
  return op(x, filter)
}

/** A conv weight drawn as the authors' _init_weights: N(0, 2/fan_out), fan_out = k²·out/groups; zero bias. */
function mitConv(params: NetParams, name: string, shape: number[], fanOut: number, layout: 'conv' | 'depthwise'): { w: tf.Variable; b: tf.Variable } {
  const w = params.normal(`${name}.weight`, shape, Math.sqrt(2 / fanOut), layout)
  const b = params.filled(`${name}.bias`, [shape[shape.length - (layout === 'conv' ? 1 : 2)] as number], 0)
  return { w, b }
}

/** The overlapping patch embedding of stage `stage`: padded strided conv with bias, LayerNorm; returns tokens and grid. */
function patchEmbedding(params: NetParams, name: string, stage: number, inC: number, outC: number): (x: tf.Tensor) => { tokens: tf.Tensor; h: number; w: number } {
  const { kernel: k, stride } = mitPatchKernel(stage)
  const pad = Math.floor(k / 2)
  const proj = mitConv(params, `${name}.proj`, [k, k, inC, outC], k * k * outC, 'conv')
  const norm = layerNorm(params, `${name}.norm`, outC, TORCH_LAYER_NORM_EPSILON)
  return (x) => {
    const padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) as tf.Tensor4D
    // Not tf.fused.conv2d: its gradient computes the input's too, which the first embedding never needs.
    const y = tf.add(tf.conv2d(padded, proj.w as tf.Tensor4D, stride, 'valid'), proj.b) as tf.Tensor4D
    const [n, h, w] = y.shape
    return { tokens: norm(tf.reshape(y, [n, h * w, outC])), h, w }
  }
}

/** Mix-FFN: fc1 C → 4C, 3×3 depth-wise conv with bias on the grid, GELU, fc2 4C → C. */
function mixFfn(params: NetParams, name: string, c: number): (x: tf.Tensor, h: number, w: number) => tf.Tensor {
  const hidden = MIT_MLP_RATIO * c
  const fc1 = linear(params, `${name}.fc1`, c, hidden, 'vit')
  const dw = mitConv(params, `${name}.dwconv.dwconv`, [3, 3, hidden, 1], 9, 'depthwise')
  const fc2 = linear(params, `${name}.fc2`, hidden, c, 'vit')
  return (x, h, w) => {
    const n = x.shape[0] as number
    const grid = tf.reshape(fc1(x), [n, h, w, hidden])
    const mixed = tf.add(depthwiseConv3x3(grid, dw.w), dw.b)
    return fc2(gelu(tf.reshape(mixed, [n, h * w, hidden])))
  }
}

/** One Mix Transformer block (see the module comment). */
function mitBlock(params: NetParams, name: string, c: number, heads: number, srRatio: number): (x: tf.Tensor, h: number, w: number) => tf.Tensor {
  const norm1 = layerNorm(params, `${name}.norm1`, c, MIT_LAYER_NORM_EPSILON)
  const attn = efficientSelfAttention(params, `${name}.attn`, c, heads, srRatio)
  const norm2 = layerNorm(params, `${name}.norm2`, c, MIT_LAYER_NORM_EPSILON)
  const mlp = mixFfn(params, `${name}.mlp`, c)
  return (x, h, w) => {
    const y = tf.add(x, attn(norm1(x), h, w))
    return tf.add(y, mlp(norm2(y), h, w))
  }
}

/** The MiT encoder: the four stages' feature maps [N, h_i, w_i, C_i]. */
function mixTransformer(params: NetParams, prefix: string, size: MitSize, inC: number): (x: tf.Tensor) => tf.Tensor[] {
  const dims = size.embedDims
  const embeds = dims.map((c, i) => patchEmbedding(params, `${prefix}.patch_embed${i + 1}`, i, i === 0 ? inC : (dims[i - 1] as number), c))
  const stages = dims.map((c, i) => {
    const blocks = Array.from({ length: size.depths[i] as number }, (_, j) => mitBlock(params, `${prefix}.block${i + 1}.${j}`, c, size.heads[i] as number, size.srRatios[i] as number))
    const norm = layerNorm(params, `${prefix}.norm${i + 1}`, c, MIT_LAYER_NORM_EPSILON)
    return { blocks, norm }
  })
  return (x) => {
    const features: tf.Tensor[] = []
    let input = x
    stages.forEach((stage, i) => {
      const { tokens, h, w } = (embeds[i] as ReturnType<typeof patchEmbedding>)(input)
      const out = stage.norm(stage.blocks.reduce((t, block) => block(t, h, w), tokens))
      input = tf.reshape(out, [x.shape[0] as number, h, w, dims[i] as number])
      features.push(input)
    })
    return features
  }
}

/**
 * mmseg's SegFormerHead (see the module comment): logits at c_1's resolution. The concatenation and the 1×1 fuse conv
 * are computed as the sum over stages of each stage's block of the fuse filter, and that block is folded into the
 * stage's linear before the resize: Σ_i resize(c_i·W_i + b_i)·F_i = Σ_i resize(c_i·(W_i·F_i) + b_i·F_i), exact since
 * the resize mixes pixels and the matrices mix channels (and each resize row sums to 1). So the E×E products run on
 * c_i's own grid, not on c_1's with 4E channels: for B0 at 128² the decoder's products shrink ~17-fold.
 */
function allMlpDecoder(params: NetParams, prefix: string, size: MitSize, numClasses: number): (features: tf.Tensor[], training: boolean) => tf.Tensor {
  const e = size.decoderDim
  // linear_c4 … linear_c1, in the reference's registration order (and the concatenation's).
  const projections = [3, 2, 1, 0].map((stage) => {
    const c = size.embedDims[stage] as number
    const name = `${prefix}.linear_c${stage + 1}.proj`
    return { stage, w: params.uniform(`${name}.weight`, [c, e], c, 'linear'), b: params.uniform(`${name}.bias`, [e], c, 'same') }
  })
  const fuse = params.normal(`${prefix}.linear_fuse.conv.weight`, [1, 1, 4 * e, e], Math.sqrt(2 / e), 'conv')
  const bn = torchNorm(params, 'batch', `${prefix}.linear_fuse.bn`, e) as NonNullable<ReturnType<typeof torchNorm>>
  const predW = params.uniform(`${prefix}.linear_pred.weight`, [1, 1, e, numClasses], e)
  const predB = params.uniform(`${prefix}.linear_pred.bias`, [numClasses], e, 'same')
  return (features, training) => {
    const [n, h, w] = (features[0] as tf.Tensor).shape as [number, number, number, number]
    const fuseRows = tf.reshape(fuse, [4 * e, e]) as tf.Tensor2D
    const fused = tf.addN(
      projections.map(({ stage, w: weight, b: bias }, block) => {
        const f = features[stage] as tf.Tensor
        const [, hi, wi, ci] = f.shape as [number, number, number, number]
        const part = tf.slice(fuseRows, [block * e, 0], [e, e])
        // A plain add for the bias: wasm's fused product refuses a bias that is a reshaped tensor (it reads the rank
        // of the data it shares).
        const y = tf.add(tf.matMul(tf.reshape(f, [n * hi * wi, ci]) as tf.Tensor2D, tf.matMul(weight as tf.Tensor2D, part)), tf.matMul(tf.reshape(bias, [1, e]) as tf.Tensor2D, part))
        return resizeBilinear(tf.reshape(y, [n, hi, wi, e]), [h, w])
      }),
    )
    const activated = tf.relu(bn(fused, training))
    const logits = tf.fused.matMul({ a: tf.reshape(activated, [n * h * w, e]) as tf.Tensor2D, b: tf.reshape(predW, [e, numClasses]) as tf.Tensor2D, bias: predB })
    return tf.reshape(logits, [n, h, w, numClasses])
  }
}

/** Builds SegFormer of `config.size` (or `options.size`) for `inChannels` channels and `numClasses` classes. */
export function buildSegformer(config: ModelConfig, options: SegformerOptions): ConfiguredNet {
  const { inChannels, numClasses } = options
  if (config.kind !== 'segformer2d') throw new Error(`buildSegformer builds segformer2d, not ${config.kind}`)
  checkChannels(inChannels, numClasses)
  const size = options.size ?? mitSizes[resolveModelConfig(config).size as keyof typeof mitSizes]
  const encoderChannels = segformerEncoderChannels(inChannels)
  return buildNet(options.rng, (params) => {
    const encoder = mixTransformer(params, 'backbone', size, encoderChannels)
    const decoder = allMlpDecoder(params, 'decode_head', size, numClasses)
    const apply = (x: tf.Tensor, training: boolean): tf.Tensor => {
      checkNetInput('segformer2d', x, 2, inChannels, SIZE_MULTIPLE, 'four stages down to 1/32')
      return tf.tidy(() => {
        const rgb = encoderChannels === inChannels ? x : tf.concat([x, x, x], -1)
        const logits = decoder(encoder(rgb), training)
        return resizeBilinear(logits, [x.shape[1] as number, x.shape[2] as number])
      })
    }
    return { kind: 'segformer2d', dims: 2, inChannels, numClasses, sizeMultiple: SIZE_MULTIPLE, config: { ...config }, apply }
  })
}
