/**
 * The U-Nets: 2D (`unet2d`), 2D with attention gates (`attention-unet2d`) and 3D (`unet3d`), one builder.
 * The same architecture is written in PyTorch for the benchmark, so it is specified exactly here.
 *
 * Notation: depth L ≥ 1, base channels B, c_i = B·2^i (level i = 0 … L−1), c_L = B·2^L (bottleneck),
 * Cin input channels, K classes. "conv" is 3×3 (3×3×3 in 3D), stride 1, zero 'same' padding; "CNR" is
 * conv → norm → ReLU; a conv has a bias only when normalisation is 'none'. Channels last.
 *
 *   encoder, level i = 0 … L−1:
 *     down{i}:      CNR Cin_i → c_i, CNR c_i → c_i      (Cin_0 = Cin, Cin_i = c_{i−1}); output = skip_i
 *     then          max-pool 2×2(×2), stride 2
 *   bottleneck:     CNR c_{L−1} → c_L, CNR c_L → c_L
 *   decoder, level i = L−1 … 0 (input h, c_{i+1} channels):
 *     up{i}.upconv: transposed conv 2×2(×2), stride 2, c_{i+1} → c_i, with bias (PyTorch ConvTranspose)
 *     [attention-unet2d only] up{i}.gate: skip_i ← skip_i · α, α = attention gate(x = skip_i, g = the
 *                   up-sampled h), intermediate width max(1, ⌊c_i/2⌋); see attentionGate in layers.ts
 *     concatenate   [skip_i, up-sampled] along channels (skip first) → 2·c_i
 *     up{i}:        CNR 2·c_i → c_i, CNR c_i → c_i
 *                   (computed without the concatenation: conv(skip, W[…, :c_i, :]) + conv(up, W[…, c_i:, :]))
 *   head:           1×1(×1) conv c_0 → K with bias: logits (no softmax)
 *
 * E.g. depth 3, base 16, Cin 1, K 2: 1→16→16 | 16→32→32 | 32→64→64 | bottleneck 64→128→128 |
 * up2: 128→64 (upconv), 128→64→64 | up1: 64→32, 64→32→32 | up0: 32→16, 32→16→16 | head 16→2.
 *
 * Norms: 'batch' (γ=1, β=0 trainable; running mean 0 / var 1 as state; momentum 0.1, ε 1e-5, PyTorch's
 * update), 'instance' (affine γ/β, no running statistics), 'none'. Init: PyTorch defaults (init.ts).
 *
 * Variable names: `down{i}.conv{1,2}.w` [3,3,(3,)in,out], `down{i}.conv{1,2}.b` (only without norm),
 * `down{i}.norm{1,2}.gamma|beta` (weights), `down{i}.norm{1,2}.mean|var` (state, batch norm only);
 * `bottleneck.…` and `up{i}.…` alike; `up{i}.upconv.w` [2,2,(2,)out,in], `up{i}.upconv.b`;
 * `up{i}.gate.wx|wg|b|psi.w|psi.b`; `head.w` [1,1,(1,)c_0,K], `head.b`. Weights are drawn in the order
 * down0 … down{L−1}, bottleneck, up{L−1} … up0 (upconv, gate, convs), head.
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import type { SegmentationNet } from '../types'
import { attentionGate, doubleConv, maxPool, pointwiseConv, upConv, type BuildContext, type SpatialDims } from './layers'
import { NetParams, type TorchLayout } from './params'
import { checkChannels, checkNetInput } from './torch-named'

/** A segmentation net that also knows the config it was built from (the checkpoint records it). */
export interface ConfiguredNet extends SegmentationNet {
  readonly config: ModelConfig
  /** Each variable's layout against PyTorch's (for --init-from a state dict and the twins). */
  readonly layouts: ReadonlyMap<string, TorchLayout>
}

export interface UnetOptions {
  readonly inChannels: number
  readonly numClasses: number
  readonly rng: Rng
}

interface DecoderLevel {
  readonly up: (x: tf.Tensor) => tf.Tensor
  readonly gate: ((x: tf.Tensor, g: tf.Tensor) => tf.Tensor) | null
  readonly convs: ReturnType<typeof doubleConv>
}

/** Builds the U-Net of `config` (2D or 3D from its kind; attention gates for attention-unet2d). */
export function buildUnet(config: ModelConfig, options: UnetOptions): ConfiguredNet {
  const { inChannels, numClasses } = options
  checkChannels(inChannels, numClasses)
  const { depth, baseChannels, kind } = config
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`depth must be a positive integer, got ${depth}`)
  const dims: SpatialDims = kind === 'unet3d' ? 3 : 2
  const params = new NetParams(options.rng)
  const ctx: BuildContext = { params, dims, normalisation: config.normalisation }
  const channels = (i: number): number => baseChannels * 2 ** i
  try {
    const encoder: ReturnType<typeof doubleConv>[] = []
    for (let i = 0; i < depth; i++) encoder.push(doubleConv(ctx, `down${i}`, [i === 0 ? inChannels : channels(i - 1)], channels(i)))
    const bottleneck = doubleConv(ctx, 'bottleneck', [channels(depth - 1)], channels(depth))
    const decoder: DecoderLevel[] = []
    for (let i = depth - 1; i >= 0; i--) {
      const c = channels(i)
      const up = upConv(ctx, `up${i}.upconv`, channels(i + 1), c)
      const gate = kind === 'attention-unet2d' ? attentionGate(ctx, `up${i}.gate`, c, Math.max(1, Math.floor(c / 2))) : null
      decoder.push({ up, gate, convs: doubleConv(ctx, `up${i}`, [c, c], c) })
    }
    const head = pointwiseConv(ctx, 'head', channels(0), numClasses)
    const sizeMultiple = 2 ** depth

    const apply = (x: tf.Tensor, training: boolean): tf.Tensor => {
      checkNetInput(kind, x, dims, inChannels, sizeMultiple, '2^depth')
      return tf.tidy(() => {
        const skips: tf.Tensor[] = []
        let h = x
        for (const block of encoder) {
          const skip = block([h], training)
          skips.push(skip)
          h = maxPool(dims, skip)
        }
        h = bottleneck([h], training)
        for (const level of decoder) {
          const skip = skips.pop() as tf.Tensor
          const upsampled = level.up(h)
          const gated = level.gate ? level.gate(skip, upsampled) : skip
          // Equals the convolutions of the concatenation [skip, up-sampled] (see convNormRelu).
          h = level.convs([gated, upsampled], training)
        }
        return head(h)
      })
    }
    return {
      kind,
      dims,
      inChannels,
      numClasses,
      sizeMultiple,
      config: { ...config },
      weights: params.weights,
      state: params.state,
      layouts: params.layouts,
      apply,
      dispose: () => params.dispose(),
    }
  } catch (e) {
    params.dispose()
    throw e
  }
}
