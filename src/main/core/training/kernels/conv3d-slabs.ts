/**
 * A 3D convolution (NDHWC, dilation 1, 'same'/'valid', any stride) and both its gradients as sums of 2D
 * convolutions over depth-shifted slabs: output depth o sums, over kernel depth k, the 2D convolution of
 * input depth o·s + k − before with filter plane k. Each slab is reshaped to [n·depth, h, w, c], so every
 * plane of the batch goes through one fast XNNPACK conv2d (≈30× faster than wasm's native Conv3D, whose
 * gradients are also wrong). Depth is addressed through a [n, depth/s, s, h·w·c] view: 5-D slices are slow.
 */
import * as tf from '@tensorflow/tfjs'
import { axisGeometry, explicitPadding2d, type AxisGeometry, type Padding } from './conv-geometry'
import { conv2dFilterGradient, conv2dInputGradient } from './conv2d-grads'

type Shape5 = readonly [number, number, number, number, number]
type Triple = readonly [number, number, number]

/** Depth geometry plus the padded depth length (a multiple of the stride) that every slab reads from. */
interface DepthLayout extends AxisGeometry {
  /** Padded depth length, a multiple of the depth stride and long enough for every kernel plane's slab. */
  readonly length: number
}

/** Depth layout for input depth d, kernel depth kd and stride sd. */
function depthLayout(d: number, kd: number, sd: number, pad: Padding): DepthLayout {
  const g = axisGeometry(d, kd, sd, pad)
  const reach = kd + (g.out - 1) * sd
  return { ...g, length: Math.ceil(Math.max(reach, g.before + d) / sd) * sd }
}

/** x [n, d, h, w, c] zero-padded in depth and viewed as [n, length/s, s, h·w·c]. */
function depthView(x: tf.Tensor5D, layout: DepthLayout, sd: number): tf.Tensor4D {
  const [n, d, h, w, c] = x.shape
  const padded = tf.pad(x.reshape([n, d, h * w * c]), [[0, 0], [layout.before, layout.length - layout.before - d], [0, 0]])
  return padded.reshape([n, layout.length / sd, sd, h * w * c])
}

/** The input planes kernel plane k meets, o·s + k for every output depth o, as a [n·od, h, w, c] batch. */
function slab(view: tf.Tensor4D, k: number, sd: number, od: number, [h, w, c]: Triple): tf.Tensor4D {
  const n = view.shape[0]
  return tf.slice(view, [0, Math.floor(k / sd), k % sd, 0], [n, od, 1, h * w * c]).reshape([n * od, h, w, c])
}

/** Filter plane k, [kh, kw, ci, co], of a [kd, kh, kw, ci, co] filter (sliced through a 2-D view). */
function filterPlane(filter: tf.Tensor5D, k: number): tf.Tensor4D {
  const [kd, kh, kw, ci, co] = filter.shape
  return tf.slice(filter.reshape([kd, kh * kw * ci * co]), [k, 0], [1, kh * kw * ci * co]).reshape([kh, kw, ci, co])
}

/** Output shape of the 3D convolution, checking that filter and input channels agree. */
function outputShape(name: string, x: Shape5, f: Shape5, [sd, sh, sw]: Triple, pad: Padding): [number, number, number, number, number] {
  if (f[3] !== x[4]) throw new Error(`${name}: filter has ${f[3]} input channels, the input ${x[4]}`)
  return [x[0], axisGeometry(x[1], f[0], sd, pad).out, axisGeometry(x[2], f[1], sh, pad).out, axisGeometry(x[3], f[2], sw, pad).out, f[4]]
}

/** Throws when dy does not have the forward convolution's output shape. */
function checkDy(name: string, dy: Shape5, expected: Shape5): void {
  if (dy.some((v, i) => v !== expected[i])) {
    throw new Error(`${name}: dy has shape [${dy.join(', ')}], the convolution's output is [${expected.join(', ')}]`)
  }
}

/** 3D convolution as a sum over kernel depth of 2D convolutions of depth-shifted slabs. */
export function conv3dBySlabs(x: tf.Tensor5D, filter: tf.Tensor5D, strides: Triple, pad: Padding): tf.Tensor5D {
  const out = outputShape('conv3dBySlabs', x.shape, filter.shape, strides, pad)
  const [sd, sh, sw] = strides
  const layout = depthLayout(x.shape[1], filter.shape[0], sd, pad)
  return tf.tidy(() => {
    const view = depthView(x, layout, sd)
    // Explicit pads: wasm's conv2d computes some 'same' cases wrongly (see registerProjectWasmKernels).
    const planePad = explicitPadding2d([x.shape[2], x.shape[3]], [filter.shape[1], filter.shape[2]], [sh, sw], pad)
    let sum: tf.Tensor4D | null = null
    for (let k = 0; k < filter.shape[0]; k++) {
      const term = tf.conv2d(slab(view, k, sd, layout.out, [x.shape[2], x.shape[3], x.shape[4]]), filterPlane(filter, k), [sh, sw], planePad)
      sum = sum === null ? term : tf.add<tf.Tensor4D>(sum, term)
    }
    return (sum as tf.Tensor4D).reshape(out)
  })
}

/**
 * Gradient of the 3D convolution with respect to x: each kernel plane's 2D input gradient, scattered back
 * to depths o·s + k (spread by the stride through a padded length-1 axis), summed, then un-padded.
 */
export function conv3dInputGradient(dy: tf.Tensor5D, filter: tf.Tensor5D, inputShape: Shape5, strides: Triple, pad: Padding): tf.Tensor5D {
  checkDy('conv3dInputGradient', dy.shape, outputShape('conv3dInputGradient', inputShape, filter.shape, strides, pad))
  const [n, d, h, w, ci] = inputShape
  const [sd, sh, sw] = strides
  const od = dy.shape[1]
  const layout = depthLayout(d, filter.shape[0], sd, pad)
  const hwc = h * w * ci
  return tf.tidy(() => {
    const dyPlanes = dy.reshape<tf.Tensor4D>([n * od, dy.shape[2], dy.shape[3], dy.shape[4]])
    let sum: tf.Tensor3D | null = null
    for (let k = 0; k < filter.shape[0]; k++) {
      const g = conv2dInputGradient(dyPlanes, filterPlane(filter, k), [n * od, h, w, ci], [sh, sw], pad)
      let spread: tf.Tensor3D = g.reshape([n, od, hwc])
      if (sd > 1) spread = tf.pad(g.reshape([n, od, 1, hwc]), [[0, 0], [0, 0], [0, sd - 1], [0, 0]]).reshape([n, od * sd, hwc])
      // Plane o of this term belongs at padded depth o·s + k; the spread's trailing zeros may overrun.
      const keep = Math.min(spread.shape[1], layout.length - k)
      if (keep < spread.shape[1]) spread = tf.slice(spread, [0, 0, 0], [n, keep, hwc])
      const placed = tf.pad(spread, [[0, 0], [k, layout.length - k - keep], [0, 0]])
      sum = sum === null ? placed : tf.add<tf.Tensor3D>(sum, placed)
    }
    return tf.slice(sum as tf.Tensor3D, [0, layout.before, 0], [n, d, hwc]).reshape([n, d, h, w, ci])
  })
}

/** Gradient of the 3D convolution with respect to the filter: plane k is the 2D filter gradient of slab k. */
export function conv3dFilterGradient(x: tf.Tensor5D, dy: tf.Tensor5D, filterShape: Shape5, strides: Triple, pad: Padding): tf.Tensor5D {
  checkDy('conv3dFilterGradient', dy.shape, outputShape('conv3dFilterGradient', x.shape, filterShape, strides, pad))
  const [kd, kh, kw, ci, co] = filterShape
  const [sd, sh, sw] = strides
  const [n, d, h, w] = x.shape
  const od = dy.shape[1]
  const layout = depthLayout(d, kd, sd, pad)
  return tf.tidy(() => {
    const view = depthView(x, layout, sd)
    const dyPlanes = dy.reshape<tf.Tensor4D>([n * od, dy.shape[2], dy.shape[3], dy.shape[4]])
    const planes: tf.Tensor4D[] = []
    for (let k = 0; k < kd; k++) {
      planes.push(conv2dFilterGradient(slab(view, k, sd, od, [h, w, ci]), dyPlanes, [kh, kw, ci, co], [sh, sw], pad))
    }
    return tf.stack(planes).reshape([kd, kh, kw, ci, co])
  })
}
