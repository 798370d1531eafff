/**
 * Both gradients of a 2D convolution (NHWC, dilation 1, 'same'/'valid', any stride) expressed through
 * the forward `conv2d`. On wasm the forward convolution is XNNPACK's fast SIMD path, while the stock
 * `Conv2DBackpropInput` is a plain loop and `Conv2DBackpropFilter` does not exist at all.
 * Only 3-D/4-D reshape, pad and slice are used: 5-D and 6-D views take slow generic paths on wasm.
 */
import * as tf from '@tensorflow/tfjs'
import { axisGeometry, type Padding } from './conv-geometry'
import { isPatchConv, patchConv2dFilterGradient, patchConv2dInputGradient } from './conv2d-patches'

/**
 * Spreads a [n, a, b, c] tensor so element (i, j) lands at (i·sa, j·sb) with zeros between (and sa−1,
 * sb−1 zeros after the last): the "dilated" gradient a strided convolution scatters back to its input.
 */
export function spreadByStride(t: tf.Tensor4D, sa: number, sb: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, a, b, c] = t.shape
    let out: tf.Tensor4D = t
    // Each spread pads a new length-1 axis to the stride, then folds it into the spatial axis.
    if (sb > 1) out = tf.pad(out.reshape([n * a, b, 1, c]), [[0, 0], [0, 0], [0, sb - 1], [0, 0]]).reshape([n, a, b * sb, c])
    if (sa > 1) out = tf.pad(out.reshape([n, a, 1, b * sb * c]), [[0, 0], [0, 0], [0, sa - 1], [0, 0]]).reshape([n, a * sa, b * sb, c])
    return out
  })
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of a [n, h, w, c] tensor. */
export function padOrCrop2d(t: tf.Tensor4D, [top, bottom]: [number, number], [left, right]: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = t.shape
    const cropTop = Math.max(-top, 0)
    const cropLeft = Math.max(-left, 0)
    const keepH = h - cropTop - Math.max(-bottom, 0)
    const keepW = w - cropLeft - Math.max(-right, 0)
    let out = t
    if (keepH !== h || keepW !== w) out = tf.slice(out, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c])
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      out = tf.pad(out, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]])
    }
    return out
  })
}

/** Throws with a shape message when a gradient's dy does not have the forward convolution's output shape. */
function checkDy(kernel: string, dy: readonly number[], expected: readonly number[]): void {
  if (dy.length !== expected.length || dy.some((v, i) => v !== expected[i])) {
    throw new Error(`${kernel}: dy has shape [${dy.join(', ')}], the convolution's output is [${expected.join(', ')}]`)
  }
}

/**
 * The 'valid' convolution (stride 1, `dilation`) of t padded (positive) or cropped (negative) by the given
 * amounts. Positive amounts go to the convolution as explicit padding, which XNNPACK applies without a
 * separate pass over the tensor (a PadV2 costs a full copy); only crops are sliced first.
 */
function validConvPadded(t: tf.Tensor4D, filter: tf.Tensor4D, [top, bottom]: [number, number], [left, right]: [number, number], dilation: [number, number]): tf.Tensor4D {
  const cropped = padOrCrop2d(t, [Math.min(top, 0), Math.min(bottom, 0)], [Math.min(left, 0), Math.min(right, 0)])
  const pads: [[0, 0], [number, number], [number, number], [0, 0]] = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]
  const none = pads[1][0] === 0 && pads[1][1] === 0 && pads[2][0] === 0 && pads[2][1] === 0
  return tf.conv2d(cropped, filter, 1, none ? 'valid' : pads, 'NHWC', dilation)
}

/**
 * The filter [kh, kw, ci, co] rotated by 180° with in/out swapped: [kh, kw, co, ci]. Reversing both
 * spatial axes is reversing the flattened tap axis, done as a gather of rows of a 2-D view (a 4-D
 * Reverse is a slow generic kernel on wasm).
 */
export function rotateFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape
    const taps = kh * kw
    const reversed = tf.gather(tf.reshape(filter, [taps, ci * co]), tf.tensor1d(Array.from({ length: taps }, (_, i) => taps - 1 - i), 'int32'))
    return tf.transpose(tf.reshape(reversed, [kh, kw, ci, co]), [0, 1, 3, 2])
  })
}

/**
 * Gradient of conv2d(x, filter) with respect to x: the stride-spread dy, padded so every input pixel sees
 * every kernel tap, convolved ('valid', stride 1) with the 180°-rotated, in/out-swapped filter.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  [sh, sw]: readonly [number, number],
  pad: Padding,
): tf.Tensor4D {
  const [n, h, w, ci] = inputShape
  const [kh, kw, fci, co] = filter.shape
  if (fci !== ci) throw new Error(`conv2dInputGradient: filter has ${fci} input channels, the input ${ci}`)
  const gh = axisGeometry(h, kh, sh, pad)
  const gw = axisGeometry(w, kw, sw, pad)
  checkDy('conv2dInputGradient', dy.shape, [n, gh.out, gw.out, co])
  if (isPatchConv([h, w], [kh, kw], [sh, sw], pad)) return patchConv2dInputGradient(dy, filter)
  return tf.tidy(() => {
    const spread = spreadByStride(dy, sh, sw)
    // Input pixel i receives dy[o]·f[k] for o·s + k − before = i: a full correlation with the rotated
    // kernel needs k−1−before zeros in front, and the spread length o·s is padded or cropped to n + k − 1.
    return validConvPadded(spread, rotateFilter(filter), [kh - 1 - gh.before, h + gh.before - gh.out * sh], [kw - 1 - gw.before, w + gw.before - gw.out * sw], [1, 1])
  })
}

/**
 * Gradient of conv2d(x, filter) with respect to the filter: with batch and channel axes swapped, x becomes a
 * [ci, h, w, n] image and dy a [oh, ow, n, co] kernel dilated by the stride; their 'valid' convolution is
 * [ci, kh, kw, co], one output pixel per kernel tap.
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  [sh, sw]: readonly [number, number],
  pad: Padding,
): tf.Tensor4D {
  const [n, h, w, ci] = x.shape
  const [kh, kw, fci, co] = filterShape
  if (fci !== ci) throw new Error(`conv2dFilterGradient: filter has ${fci} input channels, the input ${ci}`)
  const gh = axisGeometry(h, kh, sh, pad)
  const gw = axisGeometry(w, kw, sw, pad)
  checkDy('conv2dFilterGradient', dy.shape, [n, gh.out, gw.out, co])
  if (isPatchConv([h, w], [kh, kw], [sh, sw], pad)) return patchConv2dFilterGradient(x, dy, filterShape)
  return tf.tidy(() => {
    const image = tf.transpose(x, [3, 1, 2, 0])
    // The image must span exactly k + (o−1)·s pixels from the leading pad, so the 'valid' output is k long.
    const kernel = tf.transpose(dy, [1, 2, 0, 3])
    const taps = validConvPadded(image, kernel, [gh.before, kh + (gh.out - 1) * sh - gh.before - h], [gw.before, kw + (gw.out - 1) * sw - gw.before - w], [sh, sw])
    return tf.transpose(taps, [1, 2, 0, 3])
  })
}
