/**
 * x + bias over the last axis, with the bias gradient as a [1, M]·[M, C] product with a row of ones: TF.js's
 * broadcast-add gradient is a Sum over the leading axes, which on wasm took 170 ms for a [2, 32, 32, 32, 16]
 * dy (a generic reduction), while the product is an XNNPACK GEMM.
 */
import * as tf from '@tensorflow/tfjs'

/** x [..., C] plus bias [C]; differentiable in both. */
export function addChannelBias<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  const c = x.shape[x.rank - 1]!
  if (bias.rank !== 1 || bias.shape[0] !== c) throw new Error(`addChannelBias: bias ${JSON.stringify(bias.shape)} must be [${c}]`)
  const m = x.size / c
  const add = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, b] = args as [tf.Tensor, tf.Tensor]
    return {
      value: tf.add(xs, b),
      gradFunc: (dy: tf.Tensor) => [dy, tf.matMul(tf.ones([1, m]), dy.reshape([m, c])).reshape([c])],
    }
  })
  return add(x, bias) as T
}
