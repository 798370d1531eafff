/**
 * Group normalisation (Wu & He 2018), channels last, 2D [N,H,W,C] and 3D [N,D,H,W,C] alike, as PyTorch's
 * nn.GroupNorm: the C channels fall into G groups of C/G consecutive channels; each sample's group is
 * normalised by its own mean and biased variance over its channels and every spatial position, ε = 1e-5,
 * then scaled and shifted per channel (γ, β). No running statistics: training and inference agree.
 *
 * One custom op with a hand-written gradient, like batch norm in normalisation.ts and for the same reason
 * (on wasm every full pass over an activation costs milliseconds; the op-by-op gradient of the forward
 * takes about twice as many). Per-sample, per-channel spatial means are one average pool over an [N, S/W, W, C]
 * view; a group's mean is then the mean of its channels' means (all have the same count). With x_c = x − μ,
 * r = 1/√(σ² + ε), g = γ·dy and means ⟨·⟩ over a sample's group:
 *   y  = x_c·(r·γ) + β
 *   dx = r·g − r·⟨g⟩ − x_c·r³·⟨g·x_c⟩,   dγ = Σ dy·x_c·r,   dβ = Σ dy   (sums over samples and space)
 */
import * as tf from '@tensorflow/tfjs'

export const GROUP_NORM_EPSILON = 1e-5

/** Per-sample, per-channel means over space of x [N, …, W, C]: [N, C]. */
function spatialMeans(x: tf.Tensor): tf.Tensor2D {
  const [n, c, w] = [x.shape[0] as number, x.shape[x.rank - 1] as number, x.shape[x.rank - 2] as number]
  const h = x.size / (n * w * c)
  return tf.reshape(tf.avgPool(tf.reshape(x, [n, h, w, c]) as tf.Tensor4D, [h, w], [h, w], 'valid'), [n, c])
}

/** Each channel's value replaced by the mean over its group: [N, C] → [N, C]. */
function groupMeans(perChannel: tf.Tensor, groups: number): tf.Tensor2D {
  const [n, c] = perChannel.shape as [number, number]
  const per = c / groups
  if (per === 1) return perChannel as tf.Tensor2D
  const means = tf.mean(tf.reshape(perChannel, [n, groups, per]), 2, true)
  return tf.reshape(tf.tile(means, [1, 1, per]), [n, c])
}

/** Group norm of x [N, …, C] with `groups` groups and per-channel γ, β [C]. */
export function groupNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor {
  if (x.rank < 3) throw new Error(`group norm needs a rank ≥ 3 input [N, …, C], got shape [${x.shape.join(', ')}]`)
  const n = x.shape[0] as number
  const c = x.shape[x.rank - 1] as number
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) throw new Error(`group norm: ${c} channels do not split into ${groups} groups`)
  const spatial = x.size / (n * c)
  // [N, C] per-sample values broadcast over space.
  const broadcastShape = [n, ...new Array<number>(x.rank - 2).fill(1), c]
  const spread = (t: tf.Tensor): tf.Tensor => tf.reshape(t, broadcastShape)
  const op = tf.customGrad((...inputs) => {
    const [xIn, g, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const centred = tf.sub(xIn, spread(groupMeans(spatialMeans(xIn), groups)))
    const rstd = tf.rsqrt(tf.add(groupMeans(spatialMeans(tf.square(centred)), groups), GROUP_NORM_EPSILON))
    save([centred, rstd, g])
    return {
      value: tf.add(tf.mul(centred, spread(tf.mul(rstd, g))), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xc, r, gam] = saved as [tf.Tensor, tf.Tensor2D, tf.Tensor]
        const meanDy = spatialMeans(dy)
        const meanDyXc = spatialMeans(tf.mul(dy, xc))
        const k1 = groupMeans(tf.mul(meanDy, gam), groups)
        const k2 = groupMeans(tf.mul(meanDyXc, gam), groups)
        const dx = tf.add(tf.add(tf.mul(dy, spread(tf.mul(r, gam))), tf.mul(xc, spread(tf.neg(tf.mul(tf.pow(r, 3), k2))))), spread(tf.neg(tf.mul(r, k1))))
        const dGamma = tf.mul(tf.sum(tf.mul(meanDyXc, r), 0), spatial)
        const dBeta = tf.mul(tf.sum(meanDy, 0), spatial)
        return [dx, dGamma, dBeta]
      },
    }
  })
  return op(x, gamma, beta)
}
