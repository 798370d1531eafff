/**
 * Trainable parameters of the U-Nets (unet2d, attention-unet2d, unet3d) in closed form, as
 * src/main/core/training/models/unet.ts builds them (its header is the specification): c_i = B·2^i, a k-voxel
 * 3×3(×3) filter, two conv → norm → ReLU per level (a conv bias only without a norm, γ and β with one), a
 * 2×2(×2) transposed conv with bias up, the attention gate's 1×1 convs, a 1×1 head with bias.
 */
import type { ModelConfig } from '../training'

/** conv → norm → ReLU from `cin` to `cout` channels with a `k`-voxel filter: the filter, and a bias or γ/β. */
function convNormRelu(k: number, cin: number, cout: number, withNorm: boolean): number {
  return k * cin * cout + (withNorm ? 2 * cout : cout)
}

/** Parameters of the U-Net of `config` with `inChannels` input channels and `numClasses` classes. */
export function unetParameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  const dims = config.kind === 'unet3d' ? 3 : 2
  const k = 3 ** dims
  const withNorm = config.normalisation !== 'none'
  const c = (i: number): number => config.baseChannels * 2 ** i
  const double = (cin: number, cout: number): number => convNormRelu(k, cin, cout, withNorm) + convNormRelu(k, cout, cout, withNorm)
  let n = 0
  for (let i = 0; i < config.depth; i++) n += double(i === 0 ? inChannels : c(i - 1), c(i))
  n += double(c(config.depth - 1), c(config.depth))
  for (let i = 0; i < config.depth; i++) {
    n += 2 ** dims * c(i + 1) * c(i) + c(i)
    if (config.kind === 'attention-unet2d') {
      const inter = Math.max(1, Math.floor(c(i) / 2))
      n += 2 * c(i) * inter + inter + inter + 1
    }
    n += double(2 * c(i), c(i))
  }
  return n + c(0) * numClasses + numClasses
}
