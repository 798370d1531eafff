/**
 * Linear ×2 up-sampling of every spatial axis, channels last: bilinear in 2D ([N,H,W,C] → [N,2H,2W,C]),
 * trilinear in 3D ([N,D,H,W,C] → [N,2D,2H,2W,C]), as PyTorch's F.interpolate(scale_factor=2,
 * align_corners=False) — MONAI's 'nontrainable' up-sampling in SegResNet. Along one axis of length n:
 *   out[2i]   = 0.75·x[i] + 0.25·x[i−1]      (x[−1] read as x[0])
 *   out[2i+1] = 0.75·x[i] + 0.25·x[i+1]      (x[n] read as x[n−1])
 * TF.js's resizeBilinear with halfPixelCenters computes exactly this, but its gradient is wrong on both
 * backends we train on (wasm's values fail the adjoint identity; cpu's has H and W swapped when H ≠ W), so
 * the forward pass is resizeBilinear and the gradient is written here: the adjoint of the map above is
 *   dx[i] = 0.25·dy[2i−1] + 0.75·dy[2i] + 0.75·dy[2i+1] + 0.25·dy[2i+2]   (dy[−1] read as dy[0], dy[2n] as dy[2n−1])
 * i.e. an edge-replicating pad (mirrorPad 'symmetric' by one) and a stride-2 depthwise convolution with the
 * fixed taps [¼, ¾, ¾, ¼] (their outer product in 2D). Both are single native kernels on wasm and cpu.
 * 3D goes through 4-D views: depth first (the axis-only resize of a [N, D, H·W, C] view leaves the H·W
 * axis exactly as it is), then H and W on the [N·2D, H, W, C] view.
 */
import * as tf from '@tensorflow/tfjs'

const TAPS = [0.25, 0.75, 0.75, 0.25]

/** The [4, k, C, 1] (k = 4: both axes; k = 1: the first axis only) depthwise filter of the adjoint. */
function adjointFilter(channels: number, bothAxes: boolean): tf.Tensor4D {
  const kw = bothAxes ? 4 : 1
  const values = new Float32Array(4 * kw * channels)
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = (TAPS[i] as number) * (bothAxes ? (TAPS[j] as number) : 1)
      values.fill(tap, (i * kw + j) * channels, (i * kw + j + 1) * channels)
    }
  }
  return tf.tensor4d(values, [4, kw, channels, 1])
}

/**
 * ×2 along H and W (bothAxes) or along H only of x [N, H, W, C]: resizeBilinear forward, the adjoint above
 * as its gradient.
 */
function upsample4d(x: tf.Tensor4D, bothAxes: boolean): tf.Tensor4D {
  const [, h, w, c] = x.shape
  const op = tf.customGrad((...inputs) => ({
    value: tf.image.resizeBilinear(inputs[0] as tf.Tensor4D, [2 * h, bothAxes ? 2 * w : w], false, true),
    gradFunc: (dy: tf.Tensor) => {
      const padded = tf.mirrorPad(dy as tf.Tensor4D, [[0, 0], [1, 1], bothAxes ? [1, 1] : [0, 0], [0, 0]], 'symmetric')
      return tf.depthwiseConv2d(padded, adjointFilter(c, bothAxes), bothAxes ? 2 : [2, 1], 'valid')
    },
  }))
  return op(x) as tf.Tensor4D
}

/** Linear ×2 up-sampling of every spatial axis of x [N, H, W, C] or [N, D, H, W, C] (align_corners False). */
export function upsampleLinear2x(x: tf.Tensor): tf.Tensor {
  if (x.rank === 4) return upsample4d(x as tf.Tensor4D, true)
  if (x.rank !== 5) throw new Error(`linear ×2 up-sampling takes [N, H, W, C] or [N, D, H, W, C], got shape [${x.shape.join(', ')}]`)
  const [n, d, h, w, c] = x.shape as [number, number, number, number, number]
  const deeper = upsample4d(tf.reshape(x, [n, d, h * w, c]), false)
  const wider = upsample4d(tf.reshape(deeper, [n * 2 * d, h, w, c]), true)
  return tf.reshape(wider, [n, 2 * d, 2 * h, 2 * w, c])
}
