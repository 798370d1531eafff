/** The one entry point from a model config to a net; one file per architecture beside this one. */
import type { ModelConfig } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { buildInceptionUnet } from './inception-unet'
import { buildSegResNet } from './segresnet'
import { buildSegformer } from './segformer'
import { buildUnet, type ConfiguredNet } from './unet'
import { buildUnetr } from './unetr'

export type { ConfiguredNet } from './unet'

/** Builds the net of `config` with its reference's default init drawn from `rng` (same seed → same weights). */
export function buildModel(config: ModelConfig, options: { inChannels: number; numClasses: number; rng: Rng }): ConfiguredNet {
  switch (config.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
      return buildUnet(config, options)
    case 'inception-unet2d':
      return buildInceptionUnet(config, options)
    case 'segresnet2d':
    case 'segresnet3d':
      return buildSegResNet(config, options)
    case 'unetr3d':
      return buildUnetr(config, options)
    case 'segformer2d':
      return buildSegformer(config, options)
  }
}
