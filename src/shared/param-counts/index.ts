/**
 * Trainable parameters of any model config in closed form (instant: no net is built), for `train --help`, the
 * Train view and the sweep form. One file per architecture beside this one, each tested against the built net.
 */
import { resolveModelConfig } from '../models'
import type { ModelConfig } from '../training'
import { inceptionUnetParameterCount } from './inception-unet'
import { segformerParameterCount } from './segformer'
import { segresnetParameterCount } from './segresnet'
import { unetParameterCount } from './unet'
import { unetrParameterCount } from './unetr'

/** Parameters of the net `config` describes (its kind's defaults filled in) for these channel and class counts. */
export function parameterCount(config: ModelConfig, inChannels: number, numClasses: number): number {
  const c = resolveModelConfig(config)
  switch (c.kind) {
    case 'unet2d':
    case 'attention-unet2d':
    case 'unet3d':
      return unetParameterCount(c, inChannels, numClasses)
    case 'segresnet2d':
    case 'segresnet3d':
      return segresnetParameterCount(c, inChannels, numClasses)
    case 'unetr3d':
      return unetrParameterCount(c, inChannels, numClasses)
    case 'inception-unet2d':
      return inceptionUnetParameterCount(c, inChannels, numClasses)
    case 'segformer2d':
      return segformerParameterCount(c, inChannels, numClasses)
  }
}

/** "1.93 M", "31.2 k", "466": a parameter count to three significant digits. */
export function formatParameterCount(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))} M`
  if (n >= 1e4) return `${Number((n / 1e3).toPrecision(3))} k`
  return String(n)
}
