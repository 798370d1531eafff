/**
 * Normalisation layers, channels last, for any rank (2D [N,H,W,C] and 3D [N,D,H,W,C] alike).
 *
 * Batch norm in training is one custom op with a hand-written gradient, because on wasm the stock route
 * (tf.moments + tf.batchNorm, differentiated op by op) costs many full passes and its channel reductions
 * transpose the whole tensor first. Here every per-channel mean is one global average pool over an NHWC
 * view (XNNPACK, channels innermost: ~2 ms for [8,128,128,16], against ~12 ms for tf.sum over axis 0 and
 * ~13 ms for a [1, M]·[M, C] product with a row of ones, which repacks its right operand on every call),
 * and the rest is a handful of broadcast passes: forward subtract, square, scale, shift; backward one
 * product for mean(dy·x̂) and four passes for dx = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂)), r = 1/√(var + ε).
 *
 * Statistics as PyTorch: the batch variance normalising the output is biased (÷M), the running variance
 * is updated with the unbiased one (÷(M − 1)), running = (1 − momentum)·running + momentum·batch, momentum
 * 0.1, ε = 1e-5. Instance norm (per sample and channel over space, affine γ/β, never running statistics)
 * uses plain differentiable ops (its means are average pools too).
 */
import * as tf from '@tensorflow/tfjs'
import { groupNorm } from './group-norm'

export const NORM_EPSILON = 1e-5
export const BN_MOMENTUM = 0.1

/** Running statistics of one batch-norm layer, updated in place by a training pass. */
export interface RunningStats {
  readonly mean: tf.Variable
  readonly variance: tf.Variable
}

/** Channels (last axis) and rows M (everything else) of x. */
function channelsAndRows(x: tf.Tensor): [number, number] {
  const c = x.shape[x.rank - 1] as number
  return [c, x.size / c]
}

/**
 * Per-group, per-channel means of x [G, …, W, C] (rank ≥ 3) by one average pool over the view
 * [G, rest/W, W, C] with a window covering all of it: [G, 1, 1, C].
 */
function meanOverSpace(x: tf.Tensor, groups: number): tf.Tensor4D {
  const c = x.shape[x.rank - 1] as number
  const w = x.shape[x.rank - 2] as number
  const h = x.size / (groups * w * c)
  return tf.avgPool(tf.reshape(x, [groups, h, w, c]), [h, w], [h, w], 'valid')
}

/**
 * Batch norm with batch statistics: γ·(x − mean)/√(var + ε) + β per channel over batch and space, with a
 * custom gradient; updates `running` (when given) as PyTorch does. x of any rank ≥ 2, γ and β [C].
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, running?: RunningStats): tf.Tensor {
  const [c, m] = channelsAndRows(x)
  if (x.rank < 3) throw new Error(`batch norm needs a rank ≥ 3 input [N, …, C], got shape [${x.shape.join(', ')}]`)
  if (m < 2) throw new Error(`batch norm in training needs more than one value per channel, got ${m}`)
  // Means over everything but the channels: the whole tensor is one group.
  const mean1 = (t: tf.Tensor): tf.Tensor => tf.reshape(meanOverSpace(t, 1), [c])
  const op = tf.customGrad((...inputs) => {
    const [xIn, g, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const mean = mean1(xIn)
    const centred = tf.sub(xIn, mean)
    const variance = mean1(tf.square(centred))
    const rstd = tf.rsqrt(tf.add(variance, NORM_EPSILON))
    const y = tf.add(tf.mul(centred, tf.mul(rstd, g)), b)
    if (running) {
      const keep = 1 - BN_MOMENTUM
      running.mean.assign(tf.add(tf.mul(running.mean, keep), tf.mul(mean, BN_MOMENTUM)))
      const unbiased = tf.mul(variance, m / (m - 1))
      running.variance.assign(tf.add(tf.mul(running.variance, keep), tf.mul(unbiased, BN_MOMENTUM)))
    }
    save([centred, rstd, g])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xc, r, gam] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
        const meanDy = mean1(dy)
        // mean(dy·(x − mean)); mean(dy·x̂) is this times r.
        const meanDyXc = mean1(tf.mul(dy, xc))
        const a = tf.mul(r, gam)
        // dx = a·dy − a·r²·mean(dy·xc)·xc − a·mean(dy)
        const kx = tf.mul(tf.mul(a, tf.square(r)), tf.neg(meanDyXc))
        const k0 = tf.mul(a, tf.neg(meanDy))
        const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, kx)), k0)
        return [dx, tf.mul(meanDyXc, tf.mul(r, m)), tf.mul(meanDy, m)]
      },
    }
  })
  return op(x, gamma, beta)
}

/** Batch norm with the running statistics (inference): x·s + t with s = γ/√(var + ε), t = β − mean·s. */
export function batchNormInference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, running: RunningStats): tf.Tensor {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(running.variance, NORM_EPSILON)))
  const shift = tf.sub(beta, tf.mul(running.mean, scale))
  return tf.add(tf.mul(x, scale), shift)
}

/** Instance norm: per sample and channel over the spatial axes, biased variance, affine γ/β [C]. */
export function instanceNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const n = x.shape[0] as number
  const c = x.shape[x.rank - 1] as number
  const s = x.size / (n * c)
  if (s < 2) throw new Error(`instance norm needs more than one value per sample and channel, got ${s}`)
  // Group norm with one group per channel is instance norm; its hand-written gradient replaces the op-by-op one,
  // whose whole-map average-pool gradient took seconds a call on wasm.
  return groupNorm(x, gamma, beta, c)
}
