// The registered gradient of Conv3DBackpropInputV2 (tf.conv3dTranspose) on wasm against central finite
// differences. The op is linear in each argument, so with h = 0.5 only float32 rounding remains: 1e-3 of
// the largest gradient magnitude, as in the kernels' specs.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { analyticGradients, numericGradients, randomArg, relativeError } from '../kernels/finite-difference'
import { registerConv3dTransposeGradient } from './conv3d-transpose-grad'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
  registerConv3dTransposeGradient()
})

describe('conv3dTranspose gradient', () => {
  const cases = [
    { name: 'kernel 2, stride 2, valid (the U-Net up-sampling)', x: [2, 2, 1, 2, 3], f: [2, 2, 2, 2, 3], out: [2, 4, 2, 4, 2], s: 2, pad: 'valid' as const },
    { name: 'kernel 3, stride 1, same', x: [1, 3, 2, 3, 2], f: [3, 3, 3, 2, 2], out: [1, 3, 2, 3, 2], s: 1, pad: 'same' as const },
    { name: 'kernel 3, stride 2, same', x: [1, 2, 2, 2, 2], f: [3, 3, 3, 1, 2], out: [1, 4, 3, 4, 1], s: 2, pad: 'same' as const },
  ]
  for (const c of cases) {
    it(`matches finite differences: ${c.name}`, () => {
      const rng = createRng(7)
      const args = [randomArg(rng, c.x), randomArg(rng, c.f)]
      const w = randomArg(rng, c.out)
      const op = (x: tf.Tensor, f: tf.Tensor): tf.Tensor =>
        tf.conv3dTranspose(x as tf.Tensor5D, f as tf.Tensor5D, c.out as [number, number, number, number, number], c.s, c.pad)
      const analytic = analyticGradients(op, args, w)
      const numeric = numericGradients(op, args, w, 0.5)
      expect(relativeError(analytic[0]!, numeric[0]!)).toBeLessThan(1e-3)
      expect(relativeError(analytic[1]!, numeric[1]!)).toBeLessThan(1e-3)
    })
  }

  it('registering twice keeps one gradient', () => {
    const before = tf.getGradient('Conv3DBackpropInputV2')
    registerConv3dTransposeGradient()
    expect(tf.getGradient('Conv3DBackpropInputV2')).toBe(before)
  })
})
