// The closed-form parameter counts equal the built nets' trainable variable sizes, for every kind over configs
// that vary each field the kind reads (channels and classes too), and the dispatch fills in a kind's defaults.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildModel } from '../../main/core/training/models/build-model'
import { createRng } from '../../main/core/random/rng'
import { ModelConfigSchema, type ModelConfig } from '../training'
import { formatParameterCount, parameterCount } from './index'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** Sum of the built net's trainable variable sizes (state such as running means is not a parameter). */
function builtCount(input: Partial<ModelConfig>, inChannels: number, numClasses: number): number {
  const net = buildModel(ModelConfigSchema.parse(input), { inChannels, numClasses, rng: createRng(3) })
  try {
    let n = 0
    for (const w of net.weights.values()) n += w.size
    return n
  } finally {
    net.dispose()
  }
}

const cases: [Partial<ModelConfig>, number, number][] = [
  [{ kind: 'unet2d', depth: 1, baseChannels: 2, normalisation: 'batch' }, 1, 2],
  [{ kind: 'unet2d', depth: 3, baseChannels: 5, normalisation: 'none' }, 2, 3],
  [{ kind: 'unet2d', depth: 2, baseChannels: 4, normalisation: 'instance' }, 1, 4],
  [{ kind: 'attention-unet2d', depth: 2, baseChannels: 3, normalisation: 'batch' }, 1, 2],
  [{ kind: 'attention-unet2d', depth: 3, baseChannels: 1, normalisation: 'none' }, 3, 2],
  [{ kind: 'unet3d', depth: 2, baseChannels: 2, normalisation: 'instance' }, 1, 3],
  [{ kind: 'unet3d', depth: 1, baseChannels: 3, normalisation: 'none' }, 2, 2],
  [{ kind: 'inception-unet2d', depth: 2, baseChannels: 6, normalisation: 'batch' }, 1, 3],
  [{ kind: 'inception-unet2d', depth: 1, baseChannels: 4, normalisation: 'none' }, 2, 2],
  // The dispatch fills in the kind's defaults (blocks [1, 2, 2, 4] / [1, 1, 1]) before counting.
  [{ kind: 'segresnet2d', baseChannels: 8 }, 1, 3],
  [{ kind: 'segresnet2d', baseChannels: 16, blocksDown: [2, 1], blocksUp: [3] }, 2, 2],
  [{ kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 1, 2], blocksUp: [1, 2] }, 1, 2],
  [{ kind: 'segformer2d', size: 'b0' }, 1, 3],
  [{ kind: 'segformer2d', size: 'b1' }, 3, 2],
  // UNETR's position embedding depends on its image size, which resolve-job sets to the training patch.
  [{ kind: 'unetr3d', baseChannels: 4, hiddenSize: 32, layers: 4, heads: 2, mlpDim: 64, patchEdge: 8, imageSize: [16, 32, 16] }, 1, 3],
  [{ kind: 'unetr3d', baseChannels: 2, hiddenSize: 24, layers: 8, heads: 3, mlpDim: 8, patchEdge: 4, imageSize: [8, 8, 8] }, 2, 2],
]

describe('parameterCount', () => {
  it('equals the built net for every case', () => {
    for (const [config, inChannels, numClasses] of cases) {
      expect(parameterCount(ModelConfigSchema.parse(config), inChannels, numClasses), JSON.stringify(config)).toBe(builtCount(config, inChannels, numClasses))
    }
  })

  it('counts the defaults: the depth-3, base-16 2D U-Net with batch norm has 482,466 parameters for 1 channel and 2 classes (as its PyTorch twin in bench/pytorch/unet_step.py counts)', () => {
    expect(parameterCount(ModelConfigSchema.parse({}), 1, 2)).toBe(builtCount({}, 1, 2))
    expect(parameterCount(ModelConfigSchema.parse({}), 1, 2)).toBe(482_466)
  })

  it('formats counts to three significant digits', () => {
    expect(formatParameterCount(467_010)).toBe('467 k')
    expect(formatParameterCount(92_194_322)).toBe('92.2 M')
    expect(formatParameterCount(5_410)).toBe('5410')
    expect(formatParameterCount(31_234)).toBe('31.2 k')
  })
})
