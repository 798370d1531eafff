/**
 * A 2×2(×2) stride-2 transposed convolution (the U-Net's up-sampling) as one matrix product plus an
 * interleave: with kernel = stride the output blocks do not overlap, so every input voxel's channel vector
 * times a [ci, taps·co] matrix gives its whole 2×2(×2) output block. Every op used is 3-D/4-D and has a
 * TF.js gradient (matmul, 4-D transpose, reshape, add), so it trains on every backend — unlike
 * conv3dTranspose, which has no gradient anywhere — and on wasm it avoids conv2dTranspose's spread-by-stride
 * input (¾ zeros) through Conv2DBackpropInput.
 */
import * as tf from '@tensorflow/tfjs'
import { addChannelBias } from './channel-bias'

/**
 * Transposed convolution, kernel 2 and stride 2 on every spatial axis, of x [n, (d,) h, w, ci] with a
 * conv2dTranspose / conv3dTranspose filter [2, 2, (2,) co, ci], plus an optional bias [co]; returns
 * [n, (2d,) 2h, 2w, co] — the same values as tf.conv2dTranspose(x, filter, outShape, 2, 'same').
 */
export function upConv2x<T extends tf.Tensor4D | tf.Tensor5D>(x: T, filter: tf.Tensor, bias?: tf.Tensor1D): T {
  const dims = x.rank - 2
  if (dims !== 2 && dims !== 3) throw new Error(`upConv2x: x must be rank 4 or 5, got rank ${x.rank}`)
  const ci = x.shape[x.rank - 1]!
  const taps = dims === 2 ? 4 : 8
  const expected = [...Array<number>(dims).fill(2), undefined, ci]
  if (filter.rank !== dims + 2 || filter.shape.some((v, i) => expected[i] !== undefined && v !== expected[i])) {
    throw new Error(`upConv2x: filter ${JSON.stringify(filter.shape)} must be [${dims === 2 ? '2, 2' : '2, 2, 2'}, co, ${ci}]`)
  }
  const co = filter.shape[dims]!
  if (bias && (bias.rank !== 1 || bias.shape[0] !== co)) throw new Error(`upConv2x: bias ${JSON.stringify(bias.shape)} must be [${co}]`)
  return tf.tidy(() => {
    // [taps, co, ci] → [ci, taps·co]: column (tap, o) of the matrix.
    const matrix = tf.transpose(filter.reshape([taps, co, ci]), [2, 0, 1]).reshape([ci, taps * co])
    const cols = tf.matMul(x.reshape([-1, ci]), matrix)
    const [n, ...spatial] = x.shape.slice(0, -1) as number[]
    let out: tf.Tensor
    if (dims === 2) {
      const [h, w] = spatial as [number, number]
      // Rows (n, y, x) × (ty, tx, o) → (n, y, ty, x, tx, o): swap x and ty.
      out = tf.transpose(cols.reshape([n! * h, w, 2, 2 * co]), [0, 2, 1, 3]).reshape([n!, 2 * h, 2 * w, co])
    } else {
      const [d, h, w] = spatial as [number, number, number]
      // (n, z, y, x, tz, ty, tx, o) → (n, z, tz, y, x, ty, tx, o) → (n, z, tz, y, ty, x, tx, o).
      const depthFirst = tf.transpose(cols.reshape([n! * d, h * w, 2, 4 * co]), [0, 2, 1, 3])
      out = tf.transpose(depthFirst.reshape([n! * d * 2 * h, w, 2, 2 * co]), [0, 2, 1, 3]).reshape([n!, 2 * d, 2 * h, 2 * w, co])
    }
    return (bias ? addChannelBias(out, bias) : out) as T
  })
}
