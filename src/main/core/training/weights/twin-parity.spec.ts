// The parity harness and the state-dict loader proven on a toy twin (bench/pytorch/parity_fixture.py): a net with
// every TorchLayout once (conv 2D and 3D, conv-transpose, depthwise, linear, same) and batch norm, mirrored here
// with NetParams under the twin's state-dict keys. A real torch forward in eval and training mode must match ours
// through the product's loader, on wasm and on the cpu backend. Skipped, with the reason, without PyTorch.
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ModelConfigSchema } from '../../../../shared/training'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import type { ConfiguredNet } from '../models/build-model'
import { batchNormInference, batchNormTraining } from '../models/normalisation'
import { NetParams } from '../models/params'
import { pytorchBenchDir, torchMissing, twinParityOfNet, type TwinParity } from './twin-parity.spec-helpers'

const skipReason = torchMissing()
if (skipReason) console.warn(`twin-parity.spec: skipped: ${skipReason}`)

const fixture = join(pytorchBenchDir, 'parity_fixture.py')

/** Our mirror of parity_fixture.Toy (random init: the twin's weights replace it). */
function buildToy(dims: 2 | 3, inChannels: number, numClasses: number): ConfiguredNet {
  const p = new NetParams(createRng(9))
  const k = (n: number): number[] => new Array<number>(dims).fill(n)
  const stemW = p.uniform('stem.weight', [...k(3), inChannels, 4], 1, 'conv')
  const stemB = p.uniform('stem.bias', [4], 1)
  const bn = { gamma: p.filled('bn.weight', [4], 1), beta: p.filled('bn.bias', [4], 0), mean: p.stateFilled('bn.running_mean', [4], 0), variance: p.stateFilled('bn.running_var', [4], 1) }
  const upW = p.uniform('up.weight', [...k(2), 3, 4], 1, 'conv-transpose')
  const upB = p.uniform('up.bias', [3], 1)
  const dwW = p.uniform('dw.weight', [...k(3), 3, 1], 1, 'depthwise')
  const dwB = p.uniform('dw.bias', [3], 1)
  const gamma = p.uniform('gamma', [3], 1, 'same')
  const headW = p.uniform('head.weight', [3, numClasses], 1, 'linear')
  const headB = p.uniform('head.bias', [numClasses], 1)
  const conv = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => (dims === 2 ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same'))
  const upConv = (x: tf.Tensor): tf.Tensor => {
    const out = [x.shape[0] as number, ...x.shape.slice(1, -1).map((s) => 2 * s), 3]
    return dims === 2 ? tf.conv2dTranspose(x as tf.Tensor4D, upW as tf.Tensor4D, out as [number, number, number, number], 2, 'valid') : tf.conv3dTranspose(x as tf.Tensor5D, upW as tf.Tensor5D, out as [number, number, number, number, number], 2, 'valid')
  }
  // 3D depthwise: one conv3d per channel with its [3,3,3,1,1] slice of the [3,3,3,C,1] filter.
  const depthwise = (x: tf.Tensor): tf.Tensor =>
    dims === 2
      ? tf.depthwiseConv2d(x as tf.Tensor4D, dwW as tf.Tensor4D, 1, 'same')
      : tf.concat(
          tf.split(x, 3, 4).map((xc, c) => conv(xc, tf.slice(dwW, [0, 0, 0, c, 0], [3, 3, 3, 1, 1]))),
          4,
        )
  const apply = (x: tf.Tensor, training: boolean): tf.Tensor =>
    tf.tidy(() => {
      const s = tf.add(conv(x, stemW), stemB)
      const h = tf.relu(training ? batchNormTraining(s, bn.gamma, bn.beta, bn) : batchNormInference(s, bn.gamma, bn.beta, bn))
      const d = tf.mul(tf.add(depthwise(tf.add(upConv(h), upB)), dwB), gamma)
      const rows = tf.reshape(d, [d.size / 3, 3])
      return tf.reshape(tf.add(tf.matMul(rows, headW), headB), [...d.shape.slice(0, -1), numClasses])
    })
  const config = ModelConfigSchema.parse({ kind: dims === 2 ? 'unet2d' : 'unet3d' })
  return { kind: config.kind, dims, inChannels, numClasses, sizeMultiple: 1, config, weights: p.weights, state: p.state, layouts: p.layouts, apply, dispose: () => p.dispose() }
}

function parity(dims: 2 | 3, inputShape: number[], seed: number): TwinParity {
  const net = buildToy(dims, 2, 3)
  try {
    const outcome = twinParityOfNet(net, { dims }, { module: fixture, inChannels: 2, numClasses: 3, inputShape, seed })
    if ('skipped' in outcome) throw new Error(outcome.skipped)
    return outcome
  } finally {
    net.dispose()
  }
}

describe.skipIf(Boolean(skipReason))(`twin parity harness on a toy twin${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    describe(backend, () => {
      beforeAll(async () => {
        if (backend === 'wasm') configureWasm()
        expect(await tf.setBackend(backend)).toBe(true)
      })

      for (const [dims, shape] of [
        [2, [2, 6, 5]],
        [3, [2, 3, 4, 5]],
      ] as const) {
        it(`${dims}D: every layout loads by name and the logits match torch's in eval and training mode`, () => {
          const r = parity(dims, [...shape], 11)
          expect(r.report.loaded).toHaveLength(13)
          expect(r.report.skipped).toEqual(['bn.num_batches_tracked'])
          expect(r.report.missing).toEqual([])
          expect(r.report.mismatched).toEqual([])
          expect(r.report.prefix).toEqual({ file: '', ours: '' })
          expect(r.report.converted).toEqual({})
          expect(r.ourParams).toBe(r.twinParams)
          expect(r.eval.scale).toBeGreaterThan(0.05)
          expect(r.eval.relDiff).toBeLessThan(1e-4)
          expect(r.train.relDiff).toBeLessThan(1e-4)
          // The training pass moved the running statistics as torch's did.
          expect(r.stateRelDiff).toBeLessThan(1e-5)
        })
      }
    })
  }

  it('fails the comparison when one layout is wrong (the harness can fail)', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const net = buildToy(2, 2, 3)
    // Declaring the square linear head [3, 3] 'same' loads torch's [out, in] untransposed: the shapes agree, the logits must not.
    ;(net.layouts as Map<string, string>).set('head.weight', 'same')
    try {
      const r = twinParityOfNet(net, { dims: 2 }, { module: fixture, inChannels: 2, numClasses: 3, inputShape: [1, 4, 4], seed: 2 })
      if ('skipped' in r) throw new Error(r.skipped)
      expect(r.report.loaded).toContain('head.weight')
      expect(r.eval.relDiff).toBeGreaterThan(1e-2)
    } finally {
      net.dispose()
    }
  })
})
