/**
 * Layers for the nets that mirror a PyTorch reference (SegResNet, Inception-UNet): their variables are named
 * by the reference's state-dict keys — `${module}.weight`, `.bias`, `.running_mean`, `.running_var` — so a
 * state dict maps onto them by name and TorchLayout alone. Channels last, 2D and 3D; PyTorch's default
 * init (U(±1/√fan_in) for conv weights and biases, norms γ = 1, β = 0).
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelConfig, ModelKind, Normalisation } from '../../../../shared/training'
import type { Rng } from '../../random/rng'
import { groupNorm } from './group-norm'
import { registerConv3dTransposeGradient } from './conv3d-transpose-grad'
import { convFanIn, transposedConvFanIn } from './init'
import { convSame, kernel, rows, type SpatialDims } from './layers'
import { batchNormInference, batchNormTraining, instanceNorm } from './normalisation'
import { NetParams } from './params'
import type { ConfiguredNet } from './unet'

/** A layer applied in training (batch statistics) or inference mode. */
export type Layer = (x: tf.Tensor, training: boolean) => tf.Tensor

export interface ConvOptions {
  /** Kernel edge (odd, or 1); default 3. */
  readonly kernel?: number
  /** Stride in every axis; default 1. */
  readonly stride?: number
  readonly bias?: boolean
}

/**
 * PyTorch's ConvNd(in, out, k, stride, padding = (k − 1)/2, bias) as `${name}.weight` [k…, in, out] (and
 * `${name}.bias`). Stride 1 is TF.js's 'same'; a strided one pads (k − 1)/2 zeros before each axis and only
 * what the last window reaches after (TF.js's 'same' would pad after first and shift every window by one).
 * A 1×1 one is one matrix product on the [M, C] view.
 */
export function torchConv(params: NetParams, dims: SpatialDims, name: string, inChannels: number, outChannels: number, options: ConvOptions = {}): (x: tf.Tensor) => tf.Tensor {
  const k = options.kernel ?? 3
  const stride = options.stride ?? 1
  if (k % 2 !== 1) throw new Error(`${name}: kernel ${k} must be odd`)
  const shape = [...kernel(dims, k), inChannels, outChannels]
  const fanIn = convFanIn(shape)
  const w = params.uniform(`${name}.weight`, shape, fanIn)
  const b = options.bias ? params.uniform(`${name}.bias`, [outChannels], fanIn) : null
  const withBias = (y: tf.Tensor): tf.Tensor => (b ? tf.add(y, b) : y)
  if (k === 1 && stride === 1) {
    return (x) => withBias(tf.reshape(tf.matMul(rows(x), tf.reshape(w, [inChannels, outChannels])), [...x.shape.slice(0, -1), outChannels]))
  }
  if (stride === 1) return (x) => withBias(convSame(dims, x, w))
  const before = (k - 1) / 2
  return (x) => {
    const spatial = x.shape.slice(1, -1)
    const pads = spatial.map((n): [number, number] => {
      const out = Math.floor((n + 2 * before - k) / stride) + 1
      return [before, Math.max(0, (out - 1) * stride + k - n - before)]
    })
    // Padded through the [N, …, W·C] view: the pad's gradient is a slice, which wasm copies row by row for rank ≤ 4
    // (rows of W·C values here, not of C) and element by element for rank 5 (a second of a 3D step at 32³).
    const c = x.shape[x.rank - 1] as number
    const [wBefore, wAfter] = pads[pads.length - 1] as [number, number]
    const view = tf.reshape(x, [...x.shape.slice(0, -2), (x.shape[x.rank - 2] as number) * c])
    const paddedView = tf.pad(view, [[0, 0], ...pads.slice(0, -1), [wBefore * c, wAfter * c]])
    const padded = tf.reshape(paddedView, [x.shape[0] as number, ...spatial.map((n, i) => n + (pads[i] as [number, number])[0] + (pads[i] as [number, number])[1]), c])
    const y = dims === 2 ? tf.conv2d(padded as tf.Tensor4D, w as tf.Tensor4D, stride, 'valid') : tf.conv3d(padded as tf.Tensor5D, w as tf.Tensor5D, stride, 'valid')
    return withBias(y)
  }
}

/**
 * PyTorch's ConvTransposeNd(in, out, 2, stride 2) with bias as `${name}.weight` [2, 2, (2,) out, in] and
 * `${name}.bias`: doubles every spatial size.
 */
export function torchUpConv(params: NetParams, dims: SpatialDims, name: string, inChannels: number, outChannels: number): (x: tf.Tensor) => tf.Tensor {
  const shape = [...kernel(dims, 2), outChannels, inChannels]
  const fanIn = transposedConvFanIn(shape)
  const w = params.uniform(`${name}.weight`, shape, fanIn, 'conv-transpose')
  const b = params.uniform(`${name}.bias`, [outChannels], fanIn)
  if (dims === 3) registerConv3dTransposeGradient()
  return (x) => {
    const out = [x.shape[0] as number, ...x.shape.slice(1, -1).map((s) => 2 * s), outChannels]
    const y =
      dims === 2
        ? tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, out as [number, number, number, number], 2, 'valid')
        : tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, out as [number, number, number, number, number], 2, 'valid')
    return tf.add(y, b)
  }
}

/** nn.GroupNorm(groups, channels): `${name}.weight` (γ = 1) and `${name}.bias` (β = 0). */
export function torchGroupNorm(params: NetParams, name: string, channels: number, groups: number): Layer {
  if (channels % groups !== 0) throw new Error(`${name}: group norm with ${groups} groups needs a multiple of ${groups} channels, got ${channels}`)
  const gamma = params.filled(`${name}.weight`, [channels], 1)
  const beta = params.filled(`${name}.bias`, [channels], 0)
  return (x) => groupNorm(x, gamma, beta, groups)
}

/**
 * nn.BatchNormNd (weight, bias; running_mean, running_var as state) or nn.InstanceNormNd(affine=True)
 * (weight, bias) under `name`; null for 'none'.
 */
export function torchNorm(params: NetParams, normalisation: Normalisation, name: string, channels: number): Layer | null {
  if (normalisation === 'none') return null
  const gamma = params.filled(`${name}.weight`, [channels], 1)
  const beta = params.filled(`${name}.bias`, [channels], 0)
  if (normalisation === 'instance') return (x) => instanceNorm(x, gamma, beta)
  const running = { mean: params.stateFilled(`${name}.running_mean`, [channels], 0), variance: params.stateFilled(`${name}.running_var`, [channels], 1) }
  return (x, training) => (training ? batchNormTraining(x, gamma, beta, running) : batchNormInference(x, gamma, beta, running))
}

/**
 * Throws a plain Error unless x is [N, (D,) H, W, inChannels] with every spatial size a multiple of
 * sizeMultiple; `rule` says where the multiple comes from (e.g. "2^depth").
 */
export function checkNetInput(kind: ModelKind, x: tf.Tensor, dims: SpatialDims, inChannels: number, sizeMultiple: number, rule: string): void {
  if (x.rank !== dims + 2) {
    throw new Error(`${kind}: input must have rank ${dims + 2} ([N, ${dims === 3 ? 'D, ' : ''}H, W, C]), got shape [${x.shape.join(', ')}]`)
  }
  if (x.shape[x.rank - 1] !== inChannels) throw new Error(`${kind}: input has ${x.shape[x.rank - 1]} channels, the net expects ${inChannels}`)
  const spatial = x.shape.slice(1, -1)
  if (spatial.some((s) => s % sizeMultiple !== 0)) {
    throw new Error(`${kind}: input size ${spatial.join('×')} is not a multiple of ${sizeMultiple} (${rule}) in every spatial axis`)
  }
}

/** Throws unless the channel and class counts are positive integers. */
export function checkChannels(inChannels: number, numClasses: number): void {
  if (!Number.isInteger(inChannels) || inChannels < 1) throw new Error(`inChannels must be a positive integer, got ${inChannels}`)
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses must be a positive integer, got ${numClasses}`)
}

/** What a builder says of the net it made, besides its variables. */
export interface NetDescription {
  readonly kind: ModelKind
  readonly dims: SpatialDims
  readonly inChannels: number
  readonly numClasses: number
  readonly sizeMultiple: number
  readonly config: ModelConfig
  readonly apply: (x: tf.Tensor, training: boolean) => tf.Tensor
}

/**
 * Runs `build` with fresh NetParams drawing from `rng` and returns the net it describes over those variables; when
 * `build` throws (a refused option), every variable it had made is freed first.
 */
export function buildNet(rng: Rng, build: (params: NetParams) => NetDescription): ConfiguredNet {
  const params = new NetParams(rng)
  try {
    const net = build(params)
    return { ...net, weights: params.weights, state: params.state, layouts: params.layouts, dispose: () => params.dispose() }
  } catch (e) {
    params.dispose()
    throw e
  }
}
