// The Inception-UNet built by buildModel: shapes for each depth and norm and uneven branch widths, the refusals,
// the twin's state-dict names and layouts, batch-norm state, seeded PyTorch-default init, a nonzero gradient for
// every weight, whole-net finite-difference gradients on wasm and cpu, no leaks, the closed-form parameter count,
// and logits parity with the PyTorch twin.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { inceptionBranchWidths, inceptionUnetParameterCount } from '../../../../shared/param-counts/inception-unet'
import { ModelConfigSchema, type ModelConfig } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { torchMissing, twinParity } from '../weights/twin-parity.spec-helpers'
import { buildModel, type ConfiguredNet } from './build-model'
import { trainableCount, weightValues } from './model-checks.spec-helpers'
import { expectGradientsAboveNoise, expectGradientsOnBothBackends, expectLogitsOfInputSize, expectNoLeaks, expectStateMovesOnlyInTraining, expectTwinParity, randomInput } from './net-checks.spec-helpers'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const config = (input: Partial<ModelConfig>): ModelConfig => ModelConfigSchema.parse({ kind: 'inception-unet2d', ...input })

function build(input: Partial<ModelConfig>, seed = 1, inChannels = 1, numClasses = 2): ConfiguredNet {
  return buildModel(config(input), { inChannels, numClasses, rng: createRng(seed) })
}


const torchSkip = torchMissing()
if (torchSkip) console.warn(`inception-unet.spec: twin parity skipped: ${torchSkip}`)

/** The variable names of one Inception module under `p` (conv, then the norm's weight and bias when it has one). */
function moduleNames(p: string, norm: boolean): string[] {
  const units = ['branch1', 'branch2.0', 'branch2.1', 'branch3.0', 'branch3.1', 'branch3.2', 'branch4']
  return units.flatMap((u) => (norm ? [`${p}.${u}.conv.weight`, `${p}.${u}.norm.weight`, `${p}.${u}.norm.bias`] : [`${p}.${u}.conv.weight`, `${p}.${u}.conv.bias`]))
}

describe('Inception-UNet', () => {
  it('splits a block’s channels over its four branches evenly, the remainder to the first', () => {
    expect(inceptionBranchWidths(16)).toEqual([4, 4, 4, 4])
    expect(inceptionBranchWidths(5)).toEqual([2, 1, 1, 1])
    expect(inceptionBranchWidths(7)).toEqual([2, 2, 2, 1])
  })

  it('gives logits of the input size for each depth and norm, with uneven branch widths', () => {
    const cases: [Partial<ModelConfig>, number[]][] = [
      [{ depth: 1, baseChannels: 4, normalisation: 'batch' }, [2, 4, 6, 1]],
      [{ depth: 2, baseChannels: 5, normalisation: 'instance' }, [2, 8, 4, 2]],
      [{ depth: 3, baseChannels: 6, normalisation: 'none' }, [1, 8, 16, 1]],
    ]
    for (const [c, shape] of cases) {
      const net = build(c, 1, shape[3], 3)
      expect(net.dims).toBe(2)
      expect(net.sizeMultiple).toBe(2 ** (c.depth as number))
      expectLogitsOfInputSize(net, shape)
      net.dispose()
    }
  })

  it('refuses an input size that is not a multiple of 2^depth, a wrong rank or channel count, and fewer than 4 base channels', () => {
    const before = tf.memory().numTensors
    const net = build({ depth: 2, baseChannels: 4 })
    tf.tidy(() => {
      expect(() => net.apply(tf.zeros([1, 8, 6, 1]), false)).toThrow(/inception-unet2d: input size 8×6 is not a multiple of 4 \(2\^depth\)/)
      expect(() => net.apply(tf.zeros([1, 8, 8, 8, 1]), false)).toThrow(/rank 4/)
      expect(() => net.apply(tf.zeros([1, 8, 8, 2]), false)).toThrow(/2 channels, the net expects 1/)
    })
    net.dispose()
    expect(() => build({ baseChannels: 3 })).toThrow(/baseChannels must be at least 4 .* got 3/)
    expect(tf.memory().numTensors).toBe(before)
  })

  it("names its variables by the twin's state-dict keys with PyTorch layouts; batch norm keeps running statistics as state", () => {
    const net = build({ depth: 1, baseChannels: 4, normalisation: 'batch' })
    expect([...net.weights.keys()]).toEqual([
      ...moduleNames('down.0', true),
      ...moduleNames('bottleneck', true),
      'up.0.upconv.weight',
      'up.0.upconv.bias',
      ...moduleNames('up.0.block', true),
      'head.weight',
      'head.bias',
    ])
    expect([...net.state.keys()].slice(0, 2)).toEqual(['down.0.branch1.norm.running_mean', 'down.0.branch1.norm.running_var'])
    expect(net.state.size).toBe(2 * 7 * 3)
    expect(net.weights.get('down.0.branch1.conv.weight')?.shape).toEqual([1, 1, 1, 1])
    expect(net.weights.get('bottleneck.branch3.1.conv.weight')?.shape).toEqual([3, 3, 2, 2])
    expect(net.weights.get('up.0.upconv.weight')?.shape).toEqual([2, 2, 4, 8])
    expect(net.weights.get('up.0.block.branch2.0.conv.weight')?.shape).toEqual([1, 1, 8, 1])
    expect(net.layouts.get('up.0.upconv.weight')).toBe('conv-transpose')
    expect(net.layouts.get('head.weight')).toBe('conv')
    net.dispose()
    const plain = build({ depth: 1, baseChannels: 4, normalisation: 'none' })
    expect([...plain.weights.keys()].slice(0, 14)).toEqual(moduleNames('down.0', false))
    expect(plain.state.size).toBe(0)
    plain.dispose()
  })

  it('updates the running statistics only in training, and uses them in inference', () => {
    const net = build({ depth: 1, baseChannels: 4, normalisation: 'batch' })
    const x = randomInput([2, 4, 4, 1])
    expectStateMovesOnlyInTraining(net, x)
    x.dispose()
    net.dispose()
  })

  it('draws PyTorch-default weights from the seed: same seed, same net; within ±1/√fan_in', () => {
    const c: Partial<ModelConfig> = { depth: 2, baseChannels: 4 }
    const [a, b, d] = [build(c, 11), build(c, 11), build(c, 12)]
    expect(weightValues(a)).toEqual(weightValues(b))
    expect(weightValues(a).get('down.1.branch3.1.conv.weight')).not.toEqual(weightValues(d).get('down.1.branch3.1.conv.weight'))
    for (const [name, bound] of [
      ['down.1.branch2.0.conv.weight', 1 / Math.sqrt(4)],
      ['down.1.branch3.1.conv.weight', 1 / Math.sqrt(9 * 2)],
      ['up.1.upconv.weight', 1 / Math.sqrt(8 * 4)], // transposed conv: fan-in = out channels · kernel (as PyTorch)
      ['up.1.upconv.bias', 1 / Math.sqrt(8 * 4)],
      ['head.weight', 1 / Math.sqrt(4)],
    ] as [string, number][]) {
      const v = (weightValues(a).get(name) ?? []).map(Math.abs)
      expect(v.length, name).toBeGreaterThan(0)
      expect(Math.max(...v), name).toBeLessThanOrEqual(bound)
      expect(Math.max(...v), name).toBeGreaterThan(bound / 3)
    }
    expect(new Set(weightValues(a).get('down.0.branch1.norm.weight'))).toEqual(new Set([1]))
    expect(new Set(weightValues(a).get('down.0.branch1.norm.bias'))).toEqual(new Set([0]))
    for (const n of [a, b, d]) n.dispose()
  })

  it('gives every weight a gradient (every branch, the pool branch included), but the up-convs’ biases under batch norm', () => {
    // "Nonzero" means above float32 noise: 1e-4 of the net's largest gradient. Under a norm two kinds of weight have
    // a gradient of exactly zero, so the inputs have two channels and the branches at least two: a 1×1 conv from
    // one input channel gives each output channel a single weight whose scale the norm cancels, and the up-conv's
    // bias shifts channels by constants that the pool and the next 1×1 convs pass on and the norms remove. (On
    // wasm that bias had a gradient of 1 % of the largest until the pool's gradient was routed on a positive copy
    // of its input: TF.js's wasm MaxPoolGrad drops windows whose maximum is ≤ 0.)
    for (const [c, shape, seed] of [
      [{ depth: 2, baseChannels: 8, normalisation: 'batch' }, [2, 8, 8, 2], 3],
      [{ depth: 1, baseChannels: 8, normalisation: 'instance' }, [2, 4, 8, 2], 3],
      // Without a norm, narrow branches of ReLU convs can be dead at init (a zero gradient, the same in PyTorch):
      // sixteen channels and this seed keep every branch alive.
      [{ depth: 1, baseChannels: 16, normalisation: 'none' }, [2, 8, 8, 1], 1],
    ] as [Partial<ModelConfig>, number[], number][]) {
      const net = build(c, seed, shape[3])
      expectGradientsAboveNoise(net, shape, `${c.normalisation}`, (name) => c.normalisation !== 'none' && /^up\.\d+\.upconv\.bias$/.test(name))
      net.dispose()
    }
  })

  it('has whole-net gradients that match finite differences on wasm and cpu (first conv, the pool branch, a 3×3, a norm γ, the up-conv, the head)', async () => {
    // Piecewise smooth (ReLU; max-pools whose winners swap under a perturbation) and curved (batch norm): each
    // weight at the step where its quotients settle (the first layers' converge slowly as kinks are crossed; later
    // ones lose to float32 rounding, ≈ ε·Σ|w·y|/h, below 1e-3). Measured ≤ 3.4e-3 on both backends. Without a norm
    // the pools' winners swap so often that no step gives quotients to 1e-2 here; the same code paths are checked
    // with batch norm. Two input channels and base 8 (branches 2 wide): a 1×1 conv from one channel to one,
    // followed by batch norm, has a gradient of exactly zero, which finite differences cannot check; 8×8 so that
    // the bottleneck's batch norm sees 8 values a channel (with 2 it is a sign function).
    const steps = new Map([
      ['down.0.branch1.conv.weight', 1e-4],
      ['down.0.branch4.conv.weight', 3e-4],
      ['down.1.branch3.1.conv.weight', 1e-4],
      ['bottleneck.branch2.1.norm.weight', 1e-3],
      ['up.0.upconv.weight', 1e-3],
      ['head.weight', 1e-3],
    ])
    await expectGradientsOnBothBackends(() => build({ depth: 2, baseChannels: 8, normalisation: 'batch' }, 4, 2), [2, 8, 8, 2], steps, 'batch')
  })

  it('leaves no tensors behind and frees its variables', () => {
    expectNoLeaks(() => build({ depth: 1, baseChannels: 4, normalisation: 'batch' }), [2, 2, 2, 1])
  })

  it('has the closed-form parameter count of the built net', () => {
    for (const [c, inChannels, numClasses] of [
      [{ depth: 3, baseChannels: 16, normalisation: 'batch' }, 1, 2],
      [{ depth: 1, baseChannels: 5, normalisation: 'none' }, 2, 3],
      [{ depth: 2, baseChannels: 7, normalisation: 'instance' }, 3, 4],
      [{ depth: 4, baseChannels: 4, normalisation: 'none' }, 1, 2],
    ] as [Partial<ModelConfig>, number, number][]) {
      const net = build(c, 1, inChannels, numClasses)
      const built = trainableCount(net)
      expect(inceptionUnetParameterCount(config(c), inChannels, numClasses), JSON.stringify(c)).toBe(built)
      net.dispose()
    }
  })
})

describe.skipIf(Boolean(torchSkip))(`Inception-UNet against its PyTorch twin${torchSkip ? ` (skipped: ${torchSkip})` : ''}`, () => {
  const cases: [string, Partial<ModelConfig>, number, number, number[]][] = [
    ['wasm', { depth: 2, baseChannels: 6, normalisation: 'batch' }, 1, 2, [2, 8, 12]],
    ['wasm', { depth: 3, baseChannels: 4, normalisation: 'none' }, 2, 3, [1, 16, 8]],
    ['cpu', { depth: 1, baseChannels: 5, normalisation: 'instance' }, 1, 3, [2, 6, 4]],
  ]
  for (const [backend, c, inChannels, numClasses, inputShape] of cases) {
    it(`gives the twin's logits and running statistics on ${backend} (${c.normalisation} norm, depth ${c.depth}), with its parameters and keys`, async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      // BatchNorm2d's num_batches_tracked is the only key we have no variable for.
      expectTwinParity(twinParity(config(c), { module: 'inception_unet', inChannels, numClasses, inputShape, seed: 3 }), (k) => k.endsWith('.num_batches_tracked'))
      await tf.setBackend('wasm')
    })
  }
})
