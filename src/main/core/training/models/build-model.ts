/** The one entry point from a model config to a net; see unet.ts for the architectures. */
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { buildUnet, type ConfiguredNet } from './unet'

export type { ConfiguredNet } from './unet'

/** Builds the net of `config` with PyTorch-default weights drawn from `rng` (same seed → same weights). */
export function buildModel(config: ModelConfig, options: { inChannels: number; numClasses: number; rng: Rng }): ConfiguredNet {
  switch (config.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
      return buildUnet(config, options)
  }
}
