// The U-Nets built by buildModel on wasm: output shapes, the size check, batch-norm state in training and
// inference, deterministic PyTorch-default init, a gradient for every weight (the 3D up-sampling included),
// a finite-difference check of a whole tiny net, and a tiny net that overfits one batch.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ModelConfigSchema, type ModelConfig } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { numericGradients, randomArg, relativeError, type Arg } from '../kernels/finite-difference'
import { buildModel, type ConfiguredNet } from './build-model'
import { expectStateMovesOnlyInTraining } from './net-checks.spec-helpers'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const FD_H = 3e-4
const FD_TOLERANCE = 1e-2

const config = (input: Partial<ModelConfig>): ModelConfig => ModelConfigSchema.parse(input)

function build(input: Partial<ModelConfig>, seed = 1, inChannels = 1, numClasses = 2): ConfiguredNet {
  return buildModel(config(input), { inChannels, numClasses, rng: createRng(seed) })
}

function randomInput(shape: number[], seed = 5): tf.Tensor {
  const a = randomArg(createRng(seed), shape)
  return tf.tensor(a.data, a.shape)
}

describe('buildModel', () => {
  it('gives logits of the input size with numClasses channels for each kind, depth and norm', () => {
    const cases: [Partial<ModelConfig>, number[]][] = [
      [{ kind: 'unet2d', depth: 1, baseChannels: 2, normalisation: 'batch' }, [2, 4, 6, 1]],
      [{ kind: 'unet2d', depth: 2, baseChannels: 2, normalisation: 'none' }, [1, 8, 4, 1]],
      [{ kind: 'attention-unet2d', depth: 2, baseChannels: 2, normalisation: 'instance' }, [2, 4, 8, 1]],
      [{ kind: 'unet3d', depth: 1, baseChannels: 2, normalisation: 'batch' }, [2, 2, 4, 2, 1]],
      [{ kind: 'unet3d', depth: 2, baseChannels: 2, normalisation: 'none' }, [1, 4, 4, 8, 1]],
    ]
    for (const [c, shape] of cases) {
      const net = build(c, 1, 1, 3)
      expect(net.dims).toBe(c.kind === 'unet3d' ? 3 : 2)
      expect(net.sizeMultiple).toBe(2 ** (c.depth as number))
      for (const training of [true, false]) {
        const y = tf.tidy(() => net.apply(randomInput(shape), training))
        expect(y.shape).toEqual([...shape.slice(0, -1), 3])
        expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true)
        y.dispose()
      }
      net.dispose()
    }
  })

  it('refuses an input size that is not a multiple of 2^depth, a wrong rank or channel count', () => {
    const net = build({ kind: 'unet2d', depth: 2, baseChannels: 2 })
    tf.tidy(() => {
      expect(() => net.apply(tf.zeros([1, 8, 6, 1]), false)).toThrow(/input size 8×6 is not a multiple of 4/)
      expect(() => net.apply(tf.zeros([1, 8, 8]), false)).toThrow(/rank 4/)
      expect(() => net.apply(tf.zeros([1, 8, 8, 2]), false)).toThrow(/2 channels, the net expects 1/)
    })
    net.dispose()
  })

  it('names its variables stably and keeps batch-norm running statistics as state', () => {
    const net = build({ kind: 'unet2d', depth: 1, baseChannels: 2, normalisation: 'batch' })
    expect([...net.weights.keys()]).toEqual([
      ...['down0', 'bottleneck'].flatMap((p) => [`${p}.conv1.w`, `${p}.norm1.gamma`, `${p}.norm1.beta`, `${p}.conv2.w`, `${p}.norm2.gamma`, `${p}.norm2.beta`]),
      'up0.upconv.w',
      'up0.upconv.b',
      ...['up0'].flatMap((p) => [`${p}.conv1.w`, `${p}.norm1.gamma`, `${p}.norm1.beta`, `${p}.conv2.w`, `${p}.norm2.gamma`, `${p}.norm2.beta`]),
      'head.w',
      'head.b',
    ])
    expect([...net.state.keys()].filter((k) => k.startsWith('down0.'))).toEqual(['down0.norm1.mean', 'down0.norm1.var', 'down0.norm2.mean', 'down0.norm2.var'])
    expect(net.weights.get('down0.conv1.w')?.shape).toEqual([3, 3, 1, 2])
    expect(net.weights.get('up0.upconv.w')?.shape).toEqual([2, 2, 2, 4])
    expect(net.weights.get('up0.conv1.w')?.shape).toEqual([3, 3, 4, 2])
    expect(net.weights.get('head.w')?.shape).toEqual([1, 1, 2, 2])
    net.dispose()
    const plain = build({ kind: 'unet3d', depth: 1, baseChannels: 2, normalisation: 'none' })
    expect(plain.state.size).toBe(0)
    expect(plain.weights.get('down0.conv1.w')?.shape).toEqual([3, 3, 3, 1, 2])
    expect(plain.weights.has('down0.conv1.b')).toBe(true)
    plain.dispose()
  })

  it('updates the running statistics only in training, and uses them in inference', () => {
    const net = build({ kind: 'unet2d', depth: 1, baseChannels: 2, normalisation: 'batch' })
    const x = randomInput([2, 4, 4, 1])
    expectStateMovesOnlyInTraining(net, x)
    // Inference is repeatable while the statistics hold, and leaves them as they are.
    const stateOf = (): number[][] => [...net.state.values()].map((v) => Array.from(v.dataSync()))
    const after = stateOf()
    const infer = (): number[] => tf.tidy(() => Array.from(net.apply(x, false).dataSync()))
    expect(infer()).toEqual(infer())
    expect(stateOf()).toEqual(after)
    x.dispose()
    net.dispose()
  })

  it('draws PyTorch-default weights from the seed: same seed, same net; within ±1/√fan_in', () => {
    const values = (net: ConfiguredNet): Map<string, number[]> => new Map([...net.weights].map(([k, v]) => [k, Array.from(v.dataSync())]))
    const a = build({ kind: 'attention-unet2d', depth: 2, baseChannels: 2 }, 11)
    const b = build({ kind: 'attention-unet2d', depth: 2, baseChannels: 2 }, 11)
    const c = build({ kind: 'attention-unet2d', depth: 2, baseChannels: 2 }, 12)
    expect(values(a)).toEqual(values(b))
    expect(values(a).get('down1.conv1.w')).not.toEqual(values(c).get('down1.conv1.w'))
    const bounds: [string, number][] = [
      ['down1.conv1.w', 1 / Math.sqrt(9 * 2)],
      ['up1.upconv.w', 1 / Math.sqrt(4 * 4)], // transposed conv: fan-in = out channels · kernel (as PyTorch)
      ['up1.upconv.b', 1 / Math.sqrt(4 * 4)],
      ['head.w', 1 / Math.sqrt(2)],
    ]
    for (const [name, bound] of bounds) {
      const v = values(a).get(name) ?? []
      expect(v.length).toBeGreaterThan(0)
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound)
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound / 2)
    }
    expect(values(a).get('down0.norm1.gamma')).toEqual([1, 1])
    expect(values(a).get('down0.norm1.beta')).toEqual([0, 0])
    for (const n of [a, b, c]) n.dispose()
  })

  it('gives every weight a nonzero gradient (the 3D up-sampling and the attention gates included)', () => {
    for (const [c, shape] of [
      [{ kind: 'unet3d', depth: 2, baseChannels: 2, normalisation: 'batch' }, [2, 4, 4, 4, 1]],
      // Without a norm a tiny net can have dead ReLUs (a legitimately zero gradient): four channels avoid it here.
      [{ kind: 'unet3d', depth: 1, baseChannels: 4, normalisation: 'none' }, [2, 2, 4, 4, 1]],
      [{ kind: 'attention-unet2d', depth: 2, baseChannels: 2, normalisation: 'batch' }, [2, 8, 8, 1]],
    ] as [Partial<ModelConfig>, number[]][]) {
      const net = build(c, 3)
      const norms = tf.tidy(() => {
        const x = randomInput(shape)
        const target = randomInput([...shape.slice(0, -1), 2], 9)
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(net.apply(x, true), target))) as tf.Scalar, [...net.weights.values()])
        const byKey = new Map([...net.weights].map(([k, v]) => [k, grads[v.name]]))
        return [...byKey].map(([k, g]) => [k, g ? tf.max(tf.abs(g)).dataSync()[0] : 0] as const)
      })
      for (const [k, n] of norms) expect(n, `${c.kind} ${k}`).toBeGreaterThan(0)
      net.dispose()
    }
  })

  it('has whole-net gradients that match finite differences (unet3d with batch norm)', () => {
    // Through ReLUs and batch norms the net is only piecewise smooth and strongly curved in the first layer
    // (its error falls from 0.15 at h = 1e-2 to 1e-3 at h = 3e-4); at h = 3e-4 float32 rounding
    // (≈ ε·Σ|w·y|/h) is ~1e-3 too, both well under the tolerance.
    const net = build({ kind: 'unet3d', depth: 1, baseChannels: 2, normalisation: 'batch' }, 4)
    const x = randomInput([2, 2, 4, 4, 1])
    const w = randomArg(createRng(6), [2, 2, 4, 4, 2])
    // Check the up-sampling filter and the first conv's filter: treat each as the op's argument.
    for (const name of ['up0.upconv.w', 'down0.conv1.w']) {
      const v = net.weights.get(name) as tf.Variable
      const original = v.dataSync().slice() as Float32Array
      const op = (weight: tf.Tensor): tf.Tensor => {
        v.assign(weight)
        return net.apply(x, true)
      }
      const arg: Arg = { shape: [...v.shape], data: original }
      const analytic = tf.tidy(() => {
        v.assign(tf.tensor(original, v.shape))
        const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(x, true), tf.tensor(w.data, w.shape))) as tf.Scalar, [v]).grads[v.name]
        return (g as tf.Tensor).dataSync() as Float32Array
      })
      const numeric = numericGradients(op, [arg], w, FD_H)[0] as Float64Array
      v.assign(tf.tensor(original, v.shape))
      expect(relativeError(analytic, numeric), name).toBeLessThan(FD_TOLERANCE)
    }
    x.dispose()
    net.dispose()
  })

  it('overfits one batch with Adam (a tiny unet2d)', () => {
    const net = build({ kind: 'unet2d', depth: 1, baseChannels: 4, normalisation: 'batch' }, 8)
    const rng = createRng(10)
    const n = 2
    const size = 16
    const image = new Float32Array(n * size * size)
    const labels = new Int32Array(n * size * size)
    for (let i = 0; i < image.length; i++) {
      const [r, c] = [Math.floor(i / size) % size, i % size]
      labels[i] = (r - 8) ** 2 + (c - 7 - (i >= size * size ? 2 : 0)) ** 2 < 16 ? 1 : 0
      image[i] = labels[i]! + 0.5 * (rng.next() - 0.5)
    }
    const x = tf.tensor(image, [n, size, size, 1])
    const y = tf.oneHot(tf.tensor(labels, [n, size, size], 'int32'), 2)
    const optimizer = tf.train.adam(1e-2)
    const vars = [...net.weights.values()]
    const losses: number[] = []
    for (let step = 0; step < 60; step++) {
      losses.push(
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, true)) as tf.Scalar, vars)
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
          return value.dataSync()[0] as number
        }),
      )
    }
    const first = losses[0] as number
    const last = losses[losses.length - 1] as number
    expect(last).toBeLessThan(first * 0.3)
    optimizer.dispose()
    x.dispose()
    y.dispose()
    net.dispose()
  })

  it('leaves no tensors behind and frees its variables', () => {
    const before = tf.memory().numTensors
    const net = build({ kind: 'unet3d', depth: 1, baseChannels: 2, normalisation: 'batch' })
    tf.tidy(() => {
      const x = tf.ones([2, 2, 2, 2, 1])
      tf.variableGrads(() => tf.sum(net.apply(x, true)) as tf.Scalar, [...net.weights.values()])
      net.apply(x, false)
    })
    net.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
