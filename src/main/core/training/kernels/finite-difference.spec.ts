import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { analyticGradients, numericGradients, randomArg, relativeError } from './finite-difference'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('finite-difference gradient check', () => {
  it('agrees with the analytic gradient of a matrix product and catches a wrong one', () => {
    const rng = createRng(3)
    const a = randomArg(rng, [3, 4])
    const b = randomArg(rng, [4, 2])
    const w = randomArg(rng, [3, 2])
    const op = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)
    const numeric = numericGradients(op, [a, b], w, 0.5)
    analyticGradients(op, [a, b], w).forEach((g, i) => expect(relativeError(g, numeric[i] as Float64Array)).toBeLessThan(1e-5))
    const wrong = analyticGradients((x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).mul(1.01), [a, b], w)
    expect(relativeError(wrong[0] as Float32Array, numeric[0] as Float64Array)).toBeGreaterThan(1e-3)
  })
})
