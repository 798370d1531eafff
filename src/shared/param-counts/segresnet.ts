/**
 * Trainable parameters of SegResNet (segresnet2d, segresnet3d) in closed form, as
 * src/main/core/training/models/segresnet.ts builds it after MONAI's SegResNet (its header is the
 * specification): c_i = B·2^i, a k-voxel 3×3(×3) filter, convs without bias, group norms with γ and β.
 */
import type { ModelConfig } from '../training'

/** Parameters of the SegResNet of the resolved `config` (blocksDown/blocksUp filled in). */
export function segresnetParameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  const { blocksDown, blocksUp, baseChannels } = config
  if (!blocksDown || !blocksUp) throw new Error(`${config.kind}: resolve the config first (blocksDown and blocksUp are missing)`)
  const k = config.kind === 'segresnet3d' ? 27 : 9
  const c = (i: number): number => baseChannels * 2 ** i
  // Two group norms (γ, β) and two bias-free 3×3(×3) convs c → c.
  const resBlock = (ch: number): number => 4 * ch + 2 * k * ch * ch
  let n = k * inChannels * baseChannels
  blocksDown.forEach((blocks, i) => {
    if (i > 0) n += k * c(i - 1) * c(i)
    n += blocks * resBlock(c(i))
  })
  blocksUp.forEach((blocks, j) => {
    const ch = c(blocksUp.length - 1 - j)
    n += 2 * ch * ch + blocks * resBlock(ch) // the bias-free 1×1 conv 2·ch → ch, then the blocks
  })
  return n + 2 * baseChannels + baseChannels * numClasses + numClasses
}
