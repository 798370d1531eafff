/**
 * Trainable parameters of the Inception-UNet (inception-unet2d) in closed form, as
 * src/main/core/training/models/inception-unet.ts builds it (its header is the specification): c_i = B·2^i, every
 * U-Net double conv an Inception module of four branches (1×1; 1×1 → 3×3; 1×1 → 3×3 → 3×3; pool → 1×1) whose
 * widths share out the block's channels, each conv with a bias (no norm) or γ and β (batch or instance norm).
 */
import type { ModelConfig } from '../training'

/**
 * Widths of the four branches of an Inception module of `channels` outputs: shared out evenly, the remainder to the
 * first branches (the builder refuses fewer than 4 channels).
 */
export function inceptionBranchWidths(channels: number): [number, number, number, number] {
  return [0, 1, 2, 3].map((b) => Math.floor(channels / 4) + (b < channels % 4 ? 1 : 0)) as [number, number, number, number]
}

/** Parameters of the Inception-UNet of `config` with `inChannels` input channels and `numClasses` classes. */
export function inceptionUnetParameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  const perNorm = config.normalisation === 'none' ? 1 : 2
  // k×k conv cin → cout and its bias or γ/β.
  const unit = (k: number, cin: number, cout: number): number => k * k * cin * cout + perNorm * cout
  const inception = (cin: number, cout: number): number => {
    const [w1, w2, w3, w4] = inceptionBranchWidths(cout)
    return unit(1, cin, w1) + unit(1, cin, w2) + unit(3, w2, w2) + unit(1, cin, w3) + 2 * unit(3, w3, w3) + unit(1, cin, w4)
  }
  const c = (i: number): number => config.baseChannels * 2 ** i
  let n = inception(c(config.depth - 1), c(config.depth))
  for (let i = 0; i < config.depth; i++) {
    n += inception(i === 0 ? inChannels : c(i - 1), c(i))
    n += 4 * c(i + 1) * c(i) + c(i) + inception(2 * c(i), c(i)) // 2×2 transposed conv with bias, then the block
  }
  return n + c(0) * numClasses + numClasses
}
