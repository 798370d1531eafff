/**
 * The building blocks of the U-Nets as closures over named variables, for 2D ([N,H,W,C]) and 3D
 * ([N,D,H,W,C]) alike. Each block creates its variables when built (drawing weights from the net's Rng in
 * build order) and returns the function that applies it. Kept lean in ops: on wasm every full pass over an
 * activation costs milliseconds, so convolutions without normalisation fuse bias and ReLU, and 1×1
 * convolutions are one matrix product on a [M, C] view.
 */
import * as tf from '@tensorflow/tfjs'
import type { Normalisation } from '../../../../shared/training'
import { registerConv3dTransposeGradient } from './conv3d-transpose-grad'
import { convFanIn, transposedConvFanIn } from './init'
import { batchNormInference, batchNormTraining, instanceNorm } from './normalisation'
import type { NetParams } from './params'

export type SpatialDims = 2 | 3

/** What every block of one net shares. */
export interface BuildContext {
  readonly params: NetParams
  readonly dims: SpatialDims
  readonly normalisation: Normalisation
}

/** A block applied in training (batch statistics) or inference mode. */
export type Block = (x: tf.Tensor, training: boolean) => tf.Tensor

/** k in every spatial axis: [k, k] or [k, k, k]. */
export function kernel(dims: SpatialDims, k: number): number[] {
  return dims === 2 ? [k, k] : [k, k, k]
}

/** The normalisation `name` over `channels`, or null for 'none'. */
function normLayer(ctx: BuildContext, name: string, channels: number): Block | null {
  if (ctx.normalisation === 'none') return null
  const gamma = ctx.params.filled(`${name}.gamma`, [channels], 1)
  const beta = ctx.params.filled(`${name}.beta`, [channels], 0)
  if (ctx.normalisation === 'instance') return (x) => instanceNorm(x, gamma, beta)
  const running = {
    mean: ctx.params.stateFilled(`${name}.mean`, [channels], 0),
    variance: ctx.params.stateFilled(`${name}.var`, [channels], 1),
  }
  return (x, training) => (training ? batchNormTraining(x, gamma, beta, running) : batchNormInference(x, gamma, beta, running))
}

/** A 'same', stride-1 convolution of x with filter w, 2D or 3D. */
export function convSame(dims: SpatialDims, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return dims === 2 ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same')
}

/**
 * Input channels [from, from + count) of a filter [k…, in, out], sliced through a 2-D view [k…, in·out]
 * (a slice of the 5-D filter would take wasm's slow generic path).
 */
export function filterInputs(w: tf.Tensor, from: number, count: number): tf.Tensor {
  const [cin, cout] = w.shape.slice(-2) as [number, number]
  const k = w.size / (cin * cout)
  const part = tf.slice(tf.reshape(w, [k, cin * cout]), [0, from * cout], [k, count * cout])
  return tf.reshape(part, [...w.shape.slice(0, -2), count, cout])
}

/**
 * 3×3(×3) convolution ('same', stride 1) → normalisation → ReLU, as `${name}.conv{i}` and `${name}.norm{i}`,
 * over the channel-concatenation of its inputs (one input, or the decoder's [skip, up-sampled] pair). The
 * filter is one variable [3,3,(3,) Σin, out]; a pair is convolved as conv(a, W_a) + conv(b, W_b) with the
 * filter's two input-channel blocks, which equals conv([a, b], W) without building the concatenation (on
 * wasm a concat and the split of its gradient cost more than the extra add). The convolution has a bias
 * only without normalisation (a bias before a norm is cancelled by it).
 */
export function convNormRelu(ctx: BuildContext, name: string, index: number, inChannels: readonly number[], outChannels: number): (xs: readonly tf.Tensor[], training: boolean) => tf.Tensor {
  const total = inChannels.reduce((a, b) => a + b, 0)
  const shape = [...kernel(ctx.dims, 3), total, outChannels]
  const fanIn = convFanIn(shape)
  const w = ctx.params.uniform(`${name}.conv${index}.w`, shape, fanIn)
  const norm = normLayer(ctx, `${name}.norm${index}`, outChannels)
  const b = norm === null ? ctx.params.uniform(`${name}.conv${index}.b`, [outChannels], fanIn) : null
  const starts = inChannels.map((_, i) => inChannels.slice(0, i).reduce((a, c) => a + c, 0))
  const conv = (xs: readonly tf.Tensor[]): tf.Tensor => {
    if (xs.length !== inChannels.length) throw new Error(`${name}.conv${index}: expected ${inChannels.length} inputs, got ${xs.length}`)
    if (xs.length === 1) return convSame(ctx.dims, xs[0] as tf.Tensor, w)
    return tf.addN(xs.map((x, i) => convSame(ctx.dims, x, filterInputs(w, starts[i] as number, inChannels[i] as number))))
  }
  if (norm !== null) return (xs, training) => tf.relu(norm(conv(xs), training))
  const bias = b as tf.Variable
  if (ctx.dims === 2 && inChannels.length === 1) {
    return (xs) => tf.fused.conv2d({ x: xs[0] as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu' })
  }
  return (xs) => tf.relu(tf.add(conv(xs), bias))
}

/** Two conv-norm-ReLU layers: Σin → out → out; the inputs are concatenated along channels (see above). */
export function doubleConv(ctx: BuildContext, name: string, inChannels: readonly number[], outChannels: number): (xs: readonly tf.Tensor[], training: boolean) => tf.Tensor {
  const first = convNormRelu(ctx, name, 1, inChannels, outChannels)
  const second = convNormRelu(ctx, name, 2, [outChannels], outChannels)
  return (xs, training) => second([first(xs, training)], training)
}

/** 2×2(×2) max-pool, stride 2. */
export function maxPool(dims: SpatialDims, x: tf.Tensor): tf.Tensor {
  return dims === 2 ? tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') : tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid')
}

/**
 * 2×2(×2) transposed convolution, stride 2, with bias (as PyTorch's ConvTranspose default): doubles every
 * spatial size and maps in → out channels. Filter [2, 2, (2,) out, in] as `${name}.w`, bias `${name}.b`.
 */
export function upConv(ctx: BuildContext, name: string, inChannels: number, outChannels: number): (x: tf.Tensor) => tf.Tensor {
  const shape = [...kernel(ctx.dims, 2), outChannels, inChannels]
  const fanIn = transposedConvFanIn(shape)
  const w = ctx.params.uniform(`${name}.w`, shape, fanIn, 'conv-transpose')
  const b = ctx.params.uniform(`${name}.b`, [outChannels], fanIn)
  if (ctx.dims === 2) {
    return (x) => {
      const [n, h, wd] = x.shape as [number, number, number, number]
      return tf.add(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [n, 2 * h, 2 * wd, outChannels], 2, 'valid'), b)
    }
  }
  registerConv3dTransposeGradient()
  return (x) => {
    const [n, d, h, wd] = x.shape as [number, number, number, number, number]
    return tf.add(tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, [n, 2 * d, 2 * h, 2 * wd, outChannels], 2, 'valid'), b)
  }
}

/** x [..., C] as a [M, C] matrix. */
export function rows(x: tf.Tensor): tf.Tensor2D {
  const c = x.shape[x.rank - 1] as number
  return tf.reshape(x, [x.size / c, c])
}

/**
 * A 1×1(×1) convolution with bias, as one matrix product on the [M, C] view. Filter stored in conv layout
 * [1, 1, (1,) in, out] as `${name}.w`, bias `${name}.b`.
 */
export function pointwiseConv(ctx: BuildContext, name: string, inChannels: number, outChannels: number): (x: tf.Tensor) => tf.Tensor {
  const shape = [...kernel(ctx.dims, 1), inChannels, outChannels]
  const w = ctx.params.uniform(`${name}.w`, shape, inChannels)
  const b = ctx.params.uniform(`${name}.b`, [outChannels], inChannels)
  return (x) => {
    const y = tf.add(tf.matMul(rows(x), tf.reshape(w, [inChannels, outChannels])), b)
    return tf.reshape(y, [...x.shape.slice(0, -1), outChannels])
  }
}

/**
 * Additive attention gate (Oktay et al. 2018) on a skip connection x [.., C] with the gating signal g
 * [.., C] (the coarser level, already up-sampled to x's size):
 *   q = ReLU(x·W_x + g·W_g + b)   (1×1 convs to `inter` channels; one bias, `${name}.b`)
 *   α = sigmoid(q·w_ψ + b_ψ)       (1×1 conv to one channel)
 *   out = x · α                    (α broadcast over the channels)
 * Weights: `${name}.wx` [1,1,C,inter] (no bias), `${name}.wg` [1,1,C,inter], `${name}.b` [inter],
 * `${name}.psi.w` [1,1,inter,1], `${name}.psi.b` [1]; all PyTorch-default initialised (fan-in C, C, inter).
 */
export function attentionGate(ctx: BuildContext, name: string, channels: number, inter: number): (x: tf.Tensor, g: tf.Tensor) => tf.Tensor {
  const k = kernel(ctx.dims, 1)
  const wx = ctx.params.uniform(`${name}.wx`, [...k, channels, inter], channels)
  const wg = ctx.params.uniform(`${name}.wg`, [...k, channels, inter], channels)
  const b = ctx.params.uniform(`${name}.b`, [inter], channels)
  const psi = pointwiseConv(ctx, `${name}.psi`, inter, 1)
  return (x, g) => {
    const q = tf.relu(
      tf.add(tf.add(tf.matMul(rows(x), tf.reshape(wx, [channels, inter])), tf.matMul(rows(g), tf.reshape(wg, [channels, inter]))), b),
    )
    const alpha = tf.sigmoid(psi(q))
    return tf.mul(x, tf.reshape(alpha, [...x.shape.slice(0, -1), 1]))
  }
}
