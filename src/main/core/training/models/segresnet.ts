/**
 * SegResNet (Myronenko, "3D MRI brain tumor segmentation using autoencoder regularization", BrainLes 2018),
 * as MONAI's `SegResNet` builds it (monai/networks/nets/segresnet.py, blocks/segresnet_block.py) with its
 * defaults: group norm with 8 groups, ReLU, no dropout, up-sampling mode 'nontrainable', the VAE branch
 * off. `segresnet3d` and `segresnet2d` are the same builder in 3 or 2 spatial dimensions.
 *
 * Notation: B = baseChannels (MONAI's init_filters), blocksDown [b_0 … b_{L−1}], blocksUp [u_0 … u_{L−2}],
 * c_i = B·2^i. "conv" is 3×3(×3), padding 1, no bias; "ResBlock(c)" is
 *   x + conv2(ReLU(norm2(conv1(ReLU(norm1(x))))))       (c → c, group norms of 8 groups, MONAI's order)
 *
 *   convInit:          conv Cin → B
 *   down_layers.i:     [i > 0: conv c_{i−1} → c_i with stride 2, as `down_layers.i.0`] then b_i ResBlocks(c_i)
 *                      (`down_layers.i.1` … `down_layers.i.b_i`); every level's output is kept
 *   up level j = 0 … L−2, from h (channels c_{L−1−j}):
 *     up_samples.j:    1×1 conv c_{L−1−j} → c_{L−2−j} without bias (`up_samples.j.0`), then linear ×2
 *                      up-sampling (bi/trilinear, align_corners False: upsample.ts; no weights)
 *     skip:            + the output of down level L−2−j (an addition, not a concatenation)
 *     up_layers.j:     u_j ResBlocks(c_{L−2−j}) (`up_layers.j.0` …)
 *   conv_final:        group norm(B) (`conv_final.0`) → ReLU → 1×1 conv B → K with bias (`conv_final.2`)
 *
 * Spatial sizes must be multiples of 2^(L−1) (each stride-2 conv halves them exactly; PyTorch pads 1 on
 * both sides, which for an even size reads the same windows as one zero before and none after).
 * E.g. MONAI's defaults (B 8, [1, 2, 2, 4], [1, 1, 1]): 8 | 16, 16 | 32, 32 | 64 ×4 | up 64→32 + skip,
 * ResBlock | 32→16 … | 16→8 … | GN, ReLU, 8→K.
 *
 * Variable names are MONAI's state-dict keys: MONAI's conv is a Convolution module holding `conv`, so
 * `convInit.conv.weight`, `down_layers.1.0.conv.weight`, `down_layers.i.k.norm1.weight|bias`,
 * `down_layers.i.k.conv1.conv.weight`, `up_samples.j.0.conv.weight`, `conv_final.0.weight|bias`,
 * `conv_final.2.conv.weight|bias`; a state dict of MONAI's SegResNet (or of the twin,
 * src/main/bench/pytorch/twins/segresnet.py) loads by name. No state: group norm has no running statistics,
 * so training and inference compute the same function. Init: PyTorch's defaults, drawn in the order MONAI
 * constructs its modules (convInit, down_layers, then up_layers.j and up_samples.j for each j, conv_final).
 */
import * as tf from '@tensorflow/tfjs'
import { resolveModelConfig } from '../../../../shared/models'
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import type { SpatialDims } from './layers'
import type { NetParams } from './params'
import { buildNet, checkChannels, checkNetInput, torchConv, torchGroupNorm, type Layer } from './torch-named'
import type { ConfiguredNet } from './unet'
import { upsampleLinear2x } from './upsample'

/** MONAI's SegResNet default: GroupNorm with 8 groups. */
export const SEGRESNET_GROUPS = 8

/** MONAI's ResBlock(c) under `name`: norm1 → ReLU → conv1 → norm2 → ReLU → conv2, plus the input. */
function resBlock(params: NetParams, dims: SpatialDims, name: string, channels: number): Layer {
  const norm1 = torchGroupNorm(params, `${name}.norm1`, channels, SEGRESNET_GROUPS)
  const norm2 = torchGroupNorm(params, `${name}.norm2`, channels, SEGRESNET_GROUPS)
  const conv1 = torchConv(params, dims, `${name}.conv1.conv`, channels, channels)
  const conv2 = torchConv(params, dims, `${name}.conv2.conv`, channels, channels)
  return (x, training) => tf.add(conv2(tf.relu(norm2(conv1(tf.relu(norm1(x, training))), training))), x)
}

/** Layers applied one after the other. */
function sequence(layers: readonly Layer[]): Layer {
  return (x, training) => layers.reduce((h, layer) => layer(h, training), x)
}

/** Builds MONAI's SegResNet for `config` (segresnet2d or segresnet3d; options resolved to MONAI's defaults). */
export function buildSegResNet(config: ModelConfig, options: { readonly inChannels: number; readonly numClasses: number; readonly rng: Rng }): ConfiguredNet {
  const { inChannels, numClasses } = options
  checkChannels(inChannels, numClasses)
  const resolved = resolveModelConfig(config)
  const { kind, baseChannels } = resolved
  if (kind !== 'segresnet2d' && kind !== 'segresnet3d') throw new Error(`buildSegResNet builds segresnet2d and segresnet3d, not ${kind}`)
  if (baseChannels % SEGRESNET_GROUPS !== 0) {
    throw new Error(`${kind}: baseChannels (MONAI's init_filters) must be a multiple of ${SEGRESNET_GROUPS} for its group norm of ${SEGRESNET_GROUPS} groups, got ${baseChannels}`)
  }
  const blocksDown = resolved.blocksDown as number[]
  const blocksUp = resolved.blocksUp as number[]
  const dims: SpatialDims = kind === 'segresnet3d' ? 3 : 2
  const channels = (i: number): number => baseChannels * 2 ** i
  return buildNet(options.rng, (params) => {
    const convInit = torchConv(params, dims, 'convInit.conv', inChannels, baseChannels)
    const downLayers = blocksDown.map((blocks, i) => {
      const layers: Layer[] = []
      if (i > 0) {
        const down = torchConv(params, dims, `down_layers.${i}.0.conv`, channels(i - 1), channels(i), { stride: 2 })
        layers.push((x) => down(x))
      }
      for (let k = 1; k <= blocks; k++) layers.push(resBlock(params, dims, `down_layers.${i}.${k}`, channels(i)))
      return sequence(layers)
    })
    const levelsUp = blocksUp.length
    const upLayers: Layer[] = []
    const upSamples: ((x: tf.Tensor) => tf.Tensor)[] = []
    blocksUp.forEach((blocks, j) => {
      upLayers.push(sequence(Array.from({ length: blocks }, (_, k) => resBlock(params, dims, `up_layers.${j}.${k}`, channels(levelsUp - 1 - j)))))
      const conv = torchConv(params, dims, `up_samples.${j}.0.conv`, channels(levelsUp - j), channels(levelsUp - 1 - j), { kernel: 1 })
      // The 1×1 conv first, at the coarse size (as MONAI): it commutes with the per-channel up-sampling.
      upSamples.push((x) => upsampleLinear2x(conv(x)))
    })
    const finalNorm = torchGroupNorm(params, 'conv_final.0', baseChannels, SEGRESNET_GROUPS)
    const finalConv = torchConv(params, dims, 'conv_final.2.conv', baseChannels, numClasses, { kernel: 1, bias: true })
    const sizeMultiple = 2 ** (blocksDown.length - 1)

    const apply = (x: tf.Tensor, training: boolean): tf.Tensor => {
      checkNetInput(kind, x, dims, inChannels, sizeMultiple, "2^(levels − 1), levels = blocksDown's length")
      return tf.tidy(() => {
        let h = convInit(x)
        const levels: tf.Tensor[] = []
        for (const layer of downLayers) {
          h = layer(h, training)
          levels.push(h)
        }
        upSamples.forEach((up, j) => {
          h = (upLayers[j] as Layer)(tf.add(up(h), levels[levelsUp - 1 - j] as tf.Tensor), training)
        })
        return finalConv(tf.relu(finalNorm(h, training)))
      })
    }
    return { kind, dims, inChannels, numClasses, sizeMultiple, config: resolved, apply }
  })
}
