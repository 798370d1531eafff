/**
 * A convolution of a channel concatenation, conv(concat([a, b], −1), W), computed as conv(a, W_a) + conv(b, W_b)
 * with W split along its input channels: the same values, without the concat (51 ms for a [8, 128, 128, 32]
 * result on wasm, a generic copy) and its gradient's split (90 ms). The U-Net decoder's first conv after each
 * skip connection is this. Only the small filter is sliced.
 */
import * as tf from '@tensorflow/tfjs'

/**
 * 'same'-padded, stride-1 convolution (2D for rank-4 parts, 3D for rank-5) of the channel concatenation of
 * `parts` with `filter` [k..., Σ channels, co]; equals tf.conv2d / tf.conv3d of tf.concat(parts, −1).
 */
export function convOfConcat<T extends tf.Tensor4D | tf.Tensor5D>(parts: readonly T[], filter: tf.Tensor): T {
  const first = parts[0]
  if (!first) throw new Error('convOfConcat: no parts')
  const rank = first.rank
  if (rank !== 4 && rank !== 5) throw new Error(`convOfConcat: parts must be rank 4 or 5, got ${rank}`)
  if (filter.rank !== rank) throw new Error(`convOfConcat: a filter of rank ${filter.rank} for rank-${rank} parts`)
  const channels = parts.map((p) => p.shape[rank - 1]!)
  const total = channels.reduce((a, b) => a + b, 0)
  if (filter.shape[rank - 2] !== total) throw new Error(`convOfConcat: filter has ${filter.shape[rank - 2]} input channels, the parts ${total}`)
  return tf.tidy(() => {
    // Slices of a 3-D [taps, ci, co] view (TF.js's split gradient fails when a part gets no gradient).
    const co = filter.shape[rank - 1]!
    const view = filter.reshape([-1, total, co])
    const starts = channels.map((_, i) => channels.slice(0, i).reduce((a, b) => a + b, 0))
    const slices = channels.map((c, i) => tf.slice(view, [0, starts[i]!, 0], [view.shape[0]!, c, co]).reshape([...filter.shape.slice(0, -2), c, co]))
    const terms = parts.map((p, i) =>
      rank === 4 ? tf.conv2d(p as tf.Tensor4D, slices[i] as tf.Tensor4D, 1, 'same') : tf.conv3d(p as tf.Tensor5D, slices[i] as tf.Tensor5D, 1, 'same'),
    )
    return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as T
  })
}
