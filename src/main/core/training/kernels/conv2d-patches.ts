/**
 * 2D convolutions whose kernel equals their stride and tiles the input exactly (e.g. the U-Net's 2×2,
 * stride-2 transposed convolution and its gradients): every input pixel meets exactly one kernel tap, so
 * the convolution and both gradients are single matrix products over non-overlapping k×k patches.
 * On wasm the convolution route spends 4× the FLOPs on the zeros of a stride-spread dy and runs XNNPACK's
 * strided 2×2 path at ~1 GFLOP/s; a [M, k·k·C] product runs at the matrix-multiply rate instead.
 * Patches are moved with 4-D reshapes and one [0, 2, 1, 3] transpose (no 5-D/6-D views: slow on wasm).
 */
import * as tf from '@tensorflow/tfjs'
import { axisGeometry, type Padding } from './conv-geometry'

/**
 * True when a conv of an [h, w] input with a [kh, kw] kernel, strides [sh, sw] and `pad` is a tiling:
 * kernel = stride on both axes, no padding, and the output covers the input exactly.
 */
export function isPatchConv([h, w]: readonly [number, number], [kh, kw]: readonly [number, number], [sh, sw]: readonly [number, number], pad: Padding): boolean {
  if (kh !== sh || kw !== sw || kh * kw === 1) return false
  const gh = axisGeometry(h, kh, sh, pad)
  const gw = axisGeometry(w, kw, sw, pad)
  return gh.before === 0 && gw.before === 0 && gh.out * sh === h && gw.out * sw === w
}

/** [n, oh·kh, ow·kw, c] → [n·oh·ow, kh·kw·c], each row one patch in (tap row, tap column, channel) order. */
export function patchesToRows(x: tf.Tensor4D, kh: number, kw: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape
    const oh = h / kh
    const ow = w / kw
    // [n·oh, kh, ow, kw·c] → [n·oh, ow, kh, kw·c]
    const t = tf.transpose(tf.reshape(x, [n * oh, kh, ow, kw * c]), [0, 2, 1, 3])
    return tf.reshape(t, [n * oh * ow, kh * kw * c])
  })
}

/** The inverse of {@link patchesToRows}: rows [n·oh·ow, kh·kw·c] → [n, oh·kh, ow·kw, c]. */
export function rowsToPatches(rows: tf.Tensor2D, [n, oh, ow]: readonly [number, number, number], kh: number, kw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const c = rows.shape[1] / (kh * kw)
    const t = tf.transpose(tf.reshape(rows, [n * oh, ow, kh, kw * c]), [0, 2, 1, 3])
    return tf.reshape(t, [n, oh * kh, ow * kw, c])
  })
}

/** conv2d(x, filter [kh, kw, ci, co]) for a patch conv (see {@link isPatchConv}): [n, h/kh, w/kw, co]. */
export function patchConv2d(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape
  const [n, h, w] = x.shape
  return tf.tidy(() => tf.reshape(tf.matMul(patchesToRows(x, kh, kw), tf.reshape(filter, [kh * kw * ci, co])), [n, h / kh, w / kw, co]))
}

/** Gradient of a patch conv with respect to its input: dy [n, oh, ow, co] → [n, oh·kh, ow·kw, ci]. */
export function patchConv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape
  const [n, oh, ow] = dy.shape
  return tf.tidy(() => {
    const wt = tf.transpose(tf.reshape(filter, [kh * kw * ci, co]))
    return rowsToPatches(tf.matMul(tf.reshape(dy, [n * oh * ow, co]), wt), [n, oh, ow], kh, kw)
  })
}

/** Gradient of a patch conv with respect to its filter [kh, kw, ci, co]: patchesᵀ · dy. */
export function patchConv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, [kh, kw, ci, co]: readonly [number, number, number, number]): tf.Tensor4D {
  const [n, oh, ow] = dy.shape
  return tf.tidy(() => {
    const cols = tf.transpose(patchesToRows(x, kh, kw))
    return tf.reshape(tf.matMul(cols, tf.reshape(dy, [n * oh * ow, co])), [kh, kw, ci, co])
  })
}
