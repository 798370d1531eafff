import { describe, expect, it } from 'vitest'
import { modelKinds, TrainConfigSchema } from '../../../shared/training'
import { resolveModelConfig } from '../../../shared/models'
import { defaultModelValues, menuKinds, modelChoiceLabel, modelFromValues, modelInputs, modelParameterCount } from './model-choice'

describe('the model part of the forms', () => {
  it('shows each kind only the options it takes, with the CLI flag as the input id', () => {
    expect(modelInputs('unet2d').map((i) => i.id)).toEqual(['depth', 'base', 'norm'])
    expect(modelInputs('segresnet3d').map((i) => [i.id, i.label])).toEqual([['base', 'Init filters'], ['blocks-down', 'Blocks down'], ['blocks-up', 'Blocks up']])
    expect(modelInputs('unetr3d').map((i) => i.id)).toEqual(['base', 'hidden-size', 'layers', 'heads', 'mlp-dim', 'vit-patch'])
    expect(modelInputs('segformer2d').map((i) => i.id)).toEqual(['size'])
    expect(menuKinds).toEqual(modelKinds)
  })

  it("describes a config the core accepts for every kind at the defaults (only the kind's own fields)", () => {
    for (const kind of modelKinds) {
      const model = modelFromValues(kind, defaultModelValues())
      const parsed = TrainConfigSchema.parse({ datasetId: 1, model })
      expect(() => resolveModelConfig(parsed.model), kind).not.toThrow()
    }
    expect(modelFromValues('segresnet2d', { ...defaultModelValues(), baseChannels: '8', blocksDown: '1, 2,2', blocksUp: '1,1' })).toEqual({ kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 2, 2], blocksUp: [1, 1] })
    expect(modelFromValues('segformer2d', { ...defaultModelValues(), size: 'b3', depth: 4 })).toEqual({ kind: 'segformer2d', size: 'b3' })
  })

  it('labels each kind with its parameter count for the options as they stand, and says when an option is not valid', () => {
    const values = defaultModelValues()
    expect(modelChoiceLabel('unet2d', values)).toBe('unet2d — U-Net, 2D, 482 k parameters')
    expect(modelParameterCount('unet2d', { ...values, baseChannels: 8 })).toBeLessThan(modelParameterCount('unet2d', values) as number)
    expect(modelChoiceLabel('segresnet3d', { ...values, blocksDown: '1,x' })).toBe('segresnet3d — SegResNet, 3D, ? (check the options) parameters')
    expect(modelParameterCount('unet2d', { ...values, depth: '' })).toBeUndefined()
  })
})
