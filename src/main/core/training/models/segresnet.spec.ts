// SegResNet (MONAI's) built by buildModel: shapes in 2D and 3D for default and odd block layouts, the
// refusals, MONAI's state-dict names and layouts, seeded PyTorch-default init, a nonzero gradient for every
// weight, whole-net finite-difference gradients on wasm and cpu, no leaks, and the closed-form parameter
// count against the built net and MONAI's published default.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { segresnetParameterCount } from '../../../../shared/param-counts/segresnet'
import { resolveModelConfig } from '../../../../shared/models'
import { ModelConfigSchema, type ModelConfig } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { torchMissing, twinParity } from '../weights/twin-parity.spec-helpers'
import { buildModel, type ConfiguredNet } from './build-model'
import { trainableCount, weightValues } from './model-checks.spec-helpers'
import { expectGradientsAboveNoise, expectGradientsOnBothBackends, expectLogitsOfInputSize, expectNoLeaks, expectTwinParity, randomInput } from './net-checks.spec-helpers'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const config = (input: Partial<ModelConfig>): ModelConfig => ModelConfigSchema.parse(input)

function build(input: Partial<ModelConfig>, seed = 1, inChannels = 1, numClasses = 2): ConfiguredNet {
  return buildModel(config(input), { inChannels, numClasses, rng: createRng(seed) })
}


const tiny3d: Partial<ModelConfig> = { kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 1], blocksUp: [1] }

const torchSkip = torchMissing()
if (torchSkip) console.warn(`segresnet.spec: twin parity skipped: ${torchSkip}`)

describe('SegResNet', () => {
  it('gives logits of the input size for 2D and 3D, default and odd block layouts', () => {
    const cases: [Partial<ModelConfig>, number[]][] = [
      [{ kind: 'segresnet2d', baseChannels: 8 }, [2, 8, 16, 1]],
      [{ kind: 'segresnet3d', baseChannels: 8 }, [1, 8, 8, 16, 1]],
      [{ kind: 'segresnet2d', baseChannels: 16, blocksDown: [2, 1, 3], blocksUp: [2, 1] }, [2, 4, 12, 2]],
      [{ kind: 'segresnet3d', baseChannels: 8, blocksDown: [1], blocksUp: [] }, [1, 3, 5, 2, 2]],
    ]
    for (const [c, shape] of cases) {
      const net = build(c, 1, shape[shape.length - 1], 3)
      expect(net.dims).toBe(c.kind === 'segresnet3d' ? 3 : 2)
      expect(net.sizeMultiple).toBe(2 ** ((net.config.blocksDown as number[]).length - 1))
      expectLogitsOfInputSize(net, shape)
      // Group norm has no running statistics: training and inference compute the same function.
      const x = randomInput(shape)
      const [training, inference] = [true, false].map((mode) => tf.tidy(() => Array.from(net.apply(x, mode).dataSync())))
      expect(training).toEqual(inference)
      x.dispose()
      net.dispose()
    }
  })

  it('refuses a size that is not a multiple of 2^(levels − 1), a wrong rank or channel count, and a base width group norm cannot split', () => {
    const before = tf.memory().numTensors
    const net = build({ kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 1, 1], blocksUp: [1, 1] })
    tf.tidy(() => {
      expect(() => net.apply(tf.zeros([1, 8, 6, 1]), false)).toThrow(/segresnet2d: input size 8×6 is not a multiple of 4 \(2\^\(levels − 1\)/)
      expect(() => net.apply(tf.zeros([1, 8, 8, 8, 1]), false)).toThrow(/rank 4/)
      expect(() => net.apply(tf.zeros([1, 8, 8, 2]), false)).toThrow(/2 channels, the net expects 1/)
    })
    net.dispose()
    expect(() => build({ kind: 'segresnet3d', baseChannels: 12 })).toThrow(/baseChannels \(MONAI's init_filters\) must be a multiple of 8 .* got 12/)
    expect(() => build({ kind: 'segresnet3d', blocksDown: [1, 1], blocksUp: [1, 1] })).toThrow(/one level up fewer than down/)
    // A refused build frees what it had made.
    expect(tf.memory().numTensors).toBe(before)
  })

  it("names its variables by MONAI's state-dict keys with PyTorch layouts, and has no state", () => {
    const net = build({ kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 2], blocksUp: [1] }, 1, 1, 2)
    const block = (p: string): string[] => [`${p}.norm1.weight`, `${p}.norm1.bias`, `${p}.norm2.weight`, `${p}.norm2.bias`, `${p}.conv1.conv.weight`, `${p}.conv2.conv.weight`]
    expect([...net.weights.keys()]).toEqual([
      'convInit.conv.weight',
      ...block('down_layers.0.1'),
      'down_layers.1.0.conv.weight',
      ...block('down_layers.1.1'),
      ...block('down_layers.1.2'),
      ...block('up_layers.0.0'),
      'up_samples.0.0.conv.weight',
      'conv_final.0.weight',
      'conv_final.0.bias',
      'conv_final.2.conv.weight',
      'conv_final.2.conv.bias',
    ])
    expect(net.state.size).toBe(0)
    expect(net.weights.get('down_layers.1.0.conv.weight')?.shape).toEqual([3, 3, 3, 8, 16])
    expect(net.weights.get('up_samples.0.0.conv.weight')?.shape).toEqual([1, 1, 1, 16, 8])
    expect(net.weights.get('conv_final.2.conv.weight')?.shape).toEqual([1, 1, 1, 8, 2])
    expect(net.layouts.get('down_layers.1.0.conv.weight')).toBe('conv')
    expect(net.layouts.get('up_samples.0.0.conv.weight')).toBe('conv')
    expect(net.layouts.get('down_layers.0.1.norm1.weight')).toBe('same')
    expect(net.layouts.get('conv_final.2.conv.bias')).toBe('same')
    net.dispose()
  })

  it('draws PyTorch-default weights from the seed: same seed, same net; convs within ±1/√fan_in, norms 1 and 0', () => {
    const [a, b, c] = [build(tiny3d, 11), build(tiny3d, 11), build(tiny3d, 12)]
    expect(weightValues(a)).toEqual(weightValues(b))
    expect(weightValues(a).get('down_layers.1.0.conv.weight')).not.toEqual(weightValues(c).get('down_layers.1.0.conv.weight'))
    for (const [name, bound] of [
      ['convInit.conv.weight', 1 / Math.sqrt(27)],
      ['down_layers.1.0.conv.weight', 1 / Math.sqrt(27 * 8)],
      ['up_samples.0.0.conv.weight', 1 / Math.sqrt(16)],
      ['conv_final.2.conv.bias', 1 / Math.sqrt(8)],
    ] as [string, number][]) {
      const v = (weightValues(a).get(name) ?? []).map(Math.abs)
      expect(Math.max(...v), name).toBeLessThanOrEqual(bound)
      expect(Math.max(...v), name).toBeGreaterThan(bound / 2)
    }
    expect(new Set(weightValues(a).get('down_layers.0.1.norm1.weight'))).toEqual(new Set([1]))
    expect(new Set(weightValues(a).get('conv_final.0.bias'))).toEqual(new Set([0]))
    for (const n of [a, b, c]) n.dispose()
  })

  it('gives every weight a nonzero gradient (2D and 3D)', () => {
    for (const [c, shape] of [
      [tiny3d, [2, 4, 4, 4, 1]],
      [{ kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 1, 1], blocksUp: [1, 1] }, [2, 8, 8, 1]],
    ] as [Partial<ModelConfig>, number[]][]) {
      const net = build(c, 3)
      expectGradientsAboveNoise(net, shape, `${c.kind}`)
      net.dispose()
    }
  })

  it('has whole-net gradients that match finite differences on wasm and cpu (first conv, a group-norm γ, an up-sample conv, the final conv)', async () => {
    // Piecewise smooth (ReLU) and curved (group norm over few values): the first conv's difference quotients
    // converge slowly (kinks crossed: 3e-2 off at h = 1e-3, 3e-3 at h = 1e-4), the later weights' are best at
    // h = 1e-3 (float32 rounding grows as 1/h). Measured errors ≤ 5e-3 on both backends; a wrong group-norm or
    // up-sampling gradient (the r³ term as r², or taps ¼ ¾ ½ ½) gives 0.45 or more. (These gradients also equal
    // PyTorch's float64 autograd of the twin to 1e-6 on every weight, checked once by hand.)
    const steps = new Map([
      ['convInit.conv.weight', 1e-4],
      ['down_layers.1.1.norm1.weight', 1e-3],
      ['up_samples.0.0.conv.weight', 1e-3],
      ['conv_final.2.conv.weight', 1e-3],
    ])
    for (const [c, shape] of [
      [tiny3d, [1, 4, 4, 4, 1]],
      [{ kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 1], blocksUp: [1] }, [2, 4, 4, 1]],
    ] as [Partial<ModelConfig>, number[]][]) {
      await expectGradientsOnBothBackends(() => build(c, 4), shape, steps, `${c.kind}`)
    }
  })

  it('leaves no tensors behind and frees its variables', () => {
    expectNoLeaks(() => build(tiny3d), [2, 2, 2, 2, 1])
  })

  it('has the closed-form parameter count of the built net, and MONAI’s default SegResNet count', () => {
    for (const [c, inChannels, numClasses] of [
      [{ kind: 'segresnet3d', baseChannels: 8 }, 1, 2],
      [{ kind: 'segresnet2d', baseChannels: 16, blocksDown: [2, 1, 3], blocksUp: [2, 1] }, 3, 4],
      [{ kind: 'segresnet3d', baseChannels: 8, blocksDown: [1], blocksUp: [] }, 2, 3],
      [{ kind: 'segresnet2d', baseChannels: 24, blocksDown: [1, 1], blocksUp: [3] }, 1, 2],
    ] as [Partial<ModelConfig>, number, number][]) {
      const net = build(c, 1, inChannels, numClasses)
      const built = trainableCount(net)
      expect(segresnetParameterCount(resolveModelConfig(config(c)), inChannels, numClasses), JSON.stringify(c)).toBe(built)
      net.dispose()
    }
    // MONAI's SegResNet() (spatial_dims 3, init_filters 8, in 1, out 2, blocks_down (1, 2, 2, 4), blocks_up (1, 1, 1)):
    // sum(p.numel() for p in SegResNet().parameters()) = 1 176 186, from MONAI's own module (its source at commit
    // d388d1c) and from the twin, src/main/bench/pytorch/twins/segresnet.py, alike.
    expect(segresnetParameterCount(resolveModelConfig(config({ kind: 'segresnet3d', baseChannels: 8 })), 1, 2)).toBe(1_176_186)
  })
})

describe.skipIf(Boolean(torchSkip))(`SegResNet against its PyTorch twin${torchSkip ? ` (skipped: ${torchSkip})` : ''}`, () => {
  // The twin (twins/segresnet.py) is MONAI's SegResNet module tree in plain torch; against MONAI's own module (its
  // source at commit d388d1c) it has the same state-dict keys and shapes and, loaded with MONAI's weights, the same
  // logits (checked once by hand: 2D and 3D, defaults and [2, 1, 3]/[1, 2], differences 0.0).
  const cases: [string, Partial<ModelConfig>, number, number, number[]][] = [
    ['wasm', { kind: 'segresnet3d', baseChannels: 8 }, 1, 2, [1, 8, 8, 16]],
    ['wasm', { kind: 'segresnet2d', baseChannels: 16, blocksDown: [2, 1, 3], blocksUp: [2, 1] }, 2, 3, [2, 12, 8]],
    ['cpu', { kind: 'segresnet3d', baseChannels: 8, blocksDown: [1, 2], blocksUp: [1] }, 1, 3, [2, 4, 6, 8]],
  ]
  for (const [backend, c, inChannels, numClasses, inputShape] of cases) {
    it(`gives the twin's logits on ${backend} (${c.kind} ${JSON.stringify(c.blocksDown ?? 'default blocks')}), with its parameters and keys`, async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      expectTwinParity(twinParity(config(c), { module: 'segresnet', inChannels, numClasses, inputShape, seed: 3 }))
      await tf.setBackend('wasm')
    })
  }
})
