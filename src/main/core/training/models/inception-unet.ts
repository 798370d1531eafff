/**
 * Inception-UNet (2D): the U-Net skeleton of unet.ts — depth L, base B, c_i = B·2^i, 2×2 max-pool down,
 * 2×2 stride-2 transposed conv (with bias) up, skip concatenation [skip, up-sampled], 1×1 head with bias —
 * whose double-conv blocks are Inception modules. Table 2 of Zhang, Kramer & Mazurowski (MIDL 2025,
 * arXiv:2412.08081) lists a 2D Inception-UNet among the paper's models without specifying its blocks; this is
 * our reading of the name: GoogLeNet's Inception module (Szegedy et al., "Going deeper with convolutions",
 * CVPR 2015) with its 5×5 branch factored into two 3×3 convs as in Inception-v3 (Szegedy et al., CVPR 2016),
 * in place of each U-Net double conv.
 *
 * Inception(in → C): four parallel branches on the same input, concatenated along channels in this order:
 *   branch1: 1×1 CNR in → w1
 *   branch2: 1×1 CNR in → w2, 3×3 CNR w2 → w2
 *   branch3: 1×1 CNR in → w3, 3×3 CNR w3 → w3, 3×3 CNR w3 → w3      (the 5×5 receptive field)
 *   branch4: 3×3 max-pool (stride 1, 'same': padding never wins) → 1×1 CNR in → w4
 * "CNR" is conv ('same', stride 1) → norm → ReLU, the conv with a bias only when normalisation is 'none'.
 * Width split: the C output channels are shared out evenly, the remainder to the first branches:
 * w_b = ⌊C/4⌋ + (b ≤ C mod 4 ? 1 : 0) for b = 1…4 (so C ≥ 4: baseChannels ≥ 4). Inner widths equal the branch's.
 *
 *   down.i       (i = 0 … L−1): Inception(Cin_i → c_i) (Cin_0 = Cin, Cin_i = c_{i−1}); output = skip_i; max-pool
 *   bottleneck:  Inception(c_{L−1} → c_L)
 *   up.i         (i = L−1 … 0): up.i.upconv: transposed conv c_{i+1} → c_i; up.i.block: Inception(2·c_i → c_i)
 *                on the concatenation [skip_i, up-sampled]
 *   head:        1×1 conv c_0 → K with bias (logits)
 *
 * Norms as the U-Nets' ('batch': PyTorch's BatchNorm2d, running statistics as state; 'instance':
 * InstanceNorm2d(affine=True); 'none'). Variable names are the twin's state-dict keys
 * (src/main/bench/pytorch/twins/inception_unet.py): `down.0.branch1.conv.weight`, `down.0.branch2.1.norm.weight`,
 * `down.0.branch3.2.norm.running_mean`, `down.0.branch4.conv.weight`, `up.1.upconv.weight|bias`,
 * `up.1.block.branch1.conv.weight`, `head.weight|bias`; PyTorch layouts and default init, drawn in the twin's
 * module order (down, bottleneck, up.0 … up.{L−1} each upconv then block, head).
 */
import * as tf from '@tensorflow/tfjs'
import { inceptionBranchWidths } from '../../../../shared/param-counts/inception-unet'
import type { ModelConfig, Normalisation } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { maxPool } from './layers'
import type { NetParams } from './params'
import { buildNet, checkChannels, checkNetInput, torchConv, torchNorm, torchUpConv, type Layer } from './torch-named'
import type { ConfiguredNet } from './unet'

/**
 * 3×3 max-pool, stride 1, 'same'. It pools signed values (the up-convs' outputs are negative as often as not),
 * which the wasm backend's stock gradient got wrong; the project's MaxPoolGrad kernel (kernels/maxpool-grad.ts)
 * routes it as cpu and PyTorch do.
 */
function maxPool3x3(x: tf.Tensor): tf.Tensor {
  return tf.maxPool(x as tf.Tensor4D, 3, 1, 'same')
}

/**
 * The channel concatenation of `parts` [N, H, W, c_b] as Σ_b part_b·E_b, E_b the [c_b, Σc] matrix that places
 * part b's channels at its offset: wasm's Concat (and its gradient, SplitV) copies c_b values at a time in
 * JavaScript, which for these narrow branches (2–8 channels) costs about twice the matrix products.
 */
function concatChannels(parts: readonly tf.Tensor[]): tf.Tensor {
  const widths = parts.map((p) => p.shape[3] as number)
  const total = widths.reduce((a, b) => a + b, 0)
  const rowsOf = (p: tf.Tensor): tf.Tensor2D => tf.reshape(p, [p.size / (p.shape[3] as number), p.shape[3] as number])
  let offset = 0
  const placed = parts.map((p, b) => {
    const width = widths[b] as number
    const placement = new Float32Array(width * total)
    for (let j = 0; j < width; j++) placement[j * total + offset + j] = 1
    offset += width
    return tf.matMul(rowsOf(p), tf.tensor2d(placement, [width, total]))
  })
  return tf.reshape(tf.addN(placed), [...(parts[0] as tf.Tensor).shape.slice(0, 3), total])
}

/** conv (k×k) → norm → ReLU as `${name}.conv` and `${name}.norm`. */
function convNormRelu(params: NetParams, normalisation: Normalisation, name: string, inChannels: number, outChannels: number, kernel: number): Layer {
  const conv = torchConv(params, 2, `${name}.conv`, inChannels, outChannels, { kernel, bias: normalisation === 'none' })
  const norm = torchNorm(params, normalisation, `${name}.norm`, outChannels)
  return norm ? (x, training) => tf.relu(norm(conv(x), training)) : (x) => tf.relu(conv(x))
}

/** The Inception module `name` from `inChannels` to `outChannels` (see the header). */
function inception(params: NetParams, normalisation: Normalisation, name: string, inChannels: number, outChannels: number): Layer {
  const [w1, w2, w3, w4] = inceptionBranchWidths(outChannels)
  const unit = (suffix: string, cin: number, cout: number, k: number): Layer => convNormRelu(params, normalisation, `${name}.${suffix}`, cin, cout, k)
  const chain = (layers: Layer[]): Layer => (x, training) => layers.reduce((h, layer) => layer(h, training), x)
  const branch1 = unit('branch1', inChannels, w1, 1)
  const branch2 = chain([unit('branch2.0', inChannels, w2, 1), unit('branch2.1', w2, w2, 3)])
  const branch3 = chain([unit('branch3.0', inChannels, w3, 1), unit('branch3.1', w3, w3, 3), unit('branch3.2', w3, w3, 3)])
  const branch4 = unit('branch4', inChannels, w4, 1)
  return (x, training) => {
    const pooled = maxPool3x3(x)
    return concatChannels([branch1(x, training), branch2(x, training), branch3(x, training), branch4(pooled, training)])
  }
}

/** Builds the Inception-UNet of `config` (kind inception-unet2d; depth, baseChannels, normalisation). */
export function buildInceptionUnet(config: ModelConfig, options: { readonly inChannels: number; readonly numClasses: number; readonly rng: Rng }): ConfiguredNet {
  const { inChannels, numClasses } = options
  checkChannels(inChannels, numClasses)
  const { kind, depth, baseChannels, normalisation } = config
  if (kind !== 'inception-unet2d') throw new Error(`buildInceptionUnet builds inception-unet2d, not ${kind}`)
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`depth must be a positive integer, got ${depth}`)
  if (baseChannels < 4) throw new Error(`inception-unet2d: baseChannels must be at least 4 (one channel for each of the Inception module's 4 branches), got ${baseChannels}`)
  const channels = (i: number): number => baseChannels * 2 ** i
  return buildNet(options.rng, (params) => {
    const down = Array.from({ length: depth }, (_, i) => inception(params, normalisation, `down.${i}`, i === 0 ? inChannels : channels(i - 1), channels(i)))
    const bottleneck = inception(params, normalisation, 'bottleneck', channels(depth - 1), channels(depth))
    const up = Array.from({ length: depth }, (_, i) => ({
      upconv: torchUpConv(params, 2, `up.${i}.upconv`, channels(i + 1), channels(i)),
      block: inception(params, normalisation, `up.${i}.block`, 2 * channels(i), channels(i)),
    }))
    const head = torchConv(params, 2, 'head', channels(0), numClasses, { kernel: 1, bias: true })
    const sizeMultiple = 2 ** depth

    const apply = (x: tf.Tensor, training: boolean): tf.Tensor => {
      checkNetInput(kind, x, 2, inChannels, sizeMultiple, '2^depth')
      return tf.tidy(() => {
        const skips: tf.Tensor[] = []
        let h = x
        for (const block of down) {
          const skip = block(h, training)
          skips.push(skip)
          h = maxPool(2, skip)
        }
        h = bottleneck(h, training)
        for (let i = depth - 1; i >= 0; i--) {
          const level = up[i] as (typeof up)[number]
          h = level.block(concatChannels([skips[i] as tf.Tensor, level.upconv(h)]), training)
        }
        return head(h)
      })
    }
    return { kind, dims: 2, inChannels, numClasses, sizeMultiple, config: { ...config }, apply }
  })
}
