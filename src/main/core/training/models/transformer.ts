/**
 * The transformer pieces of UNETR's ViT (MONAI) and SegFormer's Mix Transformer, channels last, as closures over
 * named variables (the style of layers.ts). Tokens are [B, N, C]; a linear layer maps the last axis.
 *
 * Names are the PyTorch state-dict keys of the reference modules (`${name}.weight`, `${name}.bias`), and every
 * linear weight is stored [in, out] (torch's Linear keeps [out, in]: layout 'linear'), so a reference state dict
 * loads by name and layout. Two inits, as the references draw them:
 *   'torch'   PyTorch's Linear default, weight and bias U(−1/√in, 1/√in) (MONAI's ViT blocks, the SegFormer head);
 *   'vit'     the ViT/SegFormer init, weight truncated N(0, 0.02²), bias 0 (the Mix Transformer).
 */
import * as tf from '@tensorflow/tfjs'
import type { NetParams } from './params'

/** How a linear layer's weights are drawn (see the module comment). */
export type LinearInit = 'torch' | 'vit'

/** The std of the ViT/SegFormer truncated-normal init of linear weights. */
export const VIT_LINEAR_STD = 0.02

/**
 * A linear layer `${name}.weight` [in, out] (+ `${name}.bias` [out]) on the last axis of x [..., in]: one matrix
 * product on the [M, in] view, the bias fused into it.
 */
export function linear(params: NetParams, name: string, inFeatures: number, outFeatures: number, init: LinearInit, bias = true): (x: tf.Tensor) => tf.Tensor {
  const w =
    init === 'torch'
      ? params.uniform(`${name}.weight`, [inFeatures, outFeatures], inFeatures, 'linear')
      : params.normal(`${name}.weight`, [inFeatures, outFeatures], VIT_LINEAR_STD, 'linear', true)
  const b = !bias ? null : init === 'torch' ? params.uniform(`${name}.bias`, [outFeatures], inFeatures, 'same') : params.filled(`${name}.bias`, [outFeatures], 0)
  return (x) => {
    if (x.shape[x.rank - 1] !== inFeatures) throw new Error(`${name}: input has ${x.shape[x.rank - 1]} features, the layer expects ${inFeatures}`)
    const rows = tf.reshape(x, [x.size / inFeatures, inFeatures]) as tf.Tensor2D
    const y = b === null ? tf.matMul(rows, w as tf.Tensor2D) : tf.fused.matMul({ a: rows, b: w as tf.Tensor2D, bias: b })
    return tf.reshape(y, [...x.shape.slice(0, -1), outFeatures])
  }
}

/**
 * Layer norm over the last axis, `${name}.weight` (γ = 1) and `${name}.bias` (β = 0): γ·(x − mean)/√(var + ε) + β
 * with the biased variance, as torch.nn.LayerNorm. ε is the reference's: 1e-5 (torch's default; MONAI's ViT,
 * SegFormer's patch embeddings and sequence reduction) or 1e-6 (SegFormer's blocks and stage norms).
 */
export function layerNorm(params: NetParams, name: string, features: number, epsilon: number): (x: tf.Tensor) => tf.Tensor {
  const gamma = params.filled(`${name}.weight`, [features], 1)
  const beta = params.filled(`${name}.bias`, [features], 0)
  return (x) => layerNormalise(x, gamma, beta, epsilon)
}

/**
 * The layer-norm arithmetic of {@link layerNorm} with given γ and β [C] over the last axis of x [..., C], as one op
 * with a hand-written gradient (it keeps x̂ and r for the backward pass instead of every intermediate, and takes
 * fewer passes). With x̂ = (x − μ)·r, r = 1/√(σ² + ε), g = dy·γ and means ⟨·⟩ over the last axis:
 *   dx = r·(g − ⟨g⟩ − x̂·⟨g·x̂⟩),   dγ = Σ dy·x̂,   dβ = Σ dy   (sums over every axis but the last)
 */
export function layerNormalise(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const c = x.shape[x.rank - 1] as number
  const op = tf.customGrad((...inputs) => {
    const [input, g, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const centred = tf.sub(input, tf.mean(input, -1, true))
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon))
    const normalised = tf.mul(centred, rstd)
    save([normalised, rstd, g])
    return {
      value: tf.add(tf.mul(normalised, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, r, gam] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
        const scaled = tf.mul(dy, gam)
        const dx = tf.mul(tf.sub(tf.sub(scaled, tf.mean(scaled, -1, true)), tf.mul(xHat, tf.mean(tf.mul(scaled, xHat), -1, true))), r)
        const rows = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [t.size / c, c])
        return [dx, tf.sum(rows(tf.mul(dy, xHat)), 0), tf.sum(rows(dy), 0)]
      },
    }
  })
  return op(x, gamma, beta)
}

/**
 * GELU as torch's default (exact, not the tanh approximation): x·Φ(x) = x·(1 + erf(x/√2))/2, with a hand-written
 * gradient Φ(x) + x·φ(x) that keeps only x for the backward pass.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...inputs) => {
    const [input, save] = inputs as [tf.Tensor, tf.GradSaveFunc]
    save([input])
    return {
      value: tf.mul(tf.mul(input, 0.5), tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs] = saved as [tf.Tensor]
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1), 0.5)
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI))
        return tf.mul(dy, tf.add(cdf, tf.mul(xs, pdf)))
      },
    }
  })
  return op(x)
}

/**
 * Scaled dot-product attention with `heads` heads: q [B, N, C], k and v [B, M, C], C = heads·d with each head's d
 * features contiguous in C (as both references split them); softmax(q·kᵀ·d^−½)·v per head, heads concatenated
 * back: [B, N, C]. The scale multiplies the scores, as the references do.
 */
export function multiHeadAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number): tf.Tensor {
  const [b, n, c] = q.shape as [number, number, number]
  const m = k.shape[1] as number
  if (c % heads !== 0) throw new Error(`attention: ${c} features do not split into ${heads} heads`)
  const d = c / heads
  // [B, len, C] → [B·heads, len, d]; a single head needs no transpose.
  const split = (t: tf.Tensor, len: number): tf.Tensor3D =>
    heads === 1 ? (t as tf.Tensor3D) : tf.reshape(tf.transpose(tf.reshape(t, [b, len, heads, d]), [0, 2, 1, 3]), [b * heads, len, d])
  const scores = tf.mul(tf.matMul(split(q, n), split(k, m), false, true), 1 / Math.sqrt(d))
  const out = tf.matMul(tf.softmax(scores), split(v, m))
  return heads === 1 ? out : tf.reshape(tf.transpose(tf.reshape(out, [b, heads, n, d]), [0, 2, 1, 3]), [b, n, c])
}

/** Columns [from, from + count) of the last axis. */
function columns(x: tf.Tensor, from: number, count: number): tf.Tensor {
  const begin = x.shape.map((_, i) => (i === x.rank - 1 ? from : 0))
  const size = x.shape.map((s, i) => (i === x.rank - 1 ? count : s))
  return tf.slice(x, begin, size)
}

/**
 * MONAI's SABlock: `${name}.qkv` (hidden → 3·hidden, no bias by MONAI's default qkv_bias = False; q, k and v in
 * that order along its output) and `${name}.out_proj` (with bias), PyTorch-default init. x [B, N, hidden].
 */
export function vitSelfAttention(params: NetParams, name: string, hidden: number, heads: number): (x: tf.Tensor) => tf.Tensor {
  if (hidden % heads !== 0) throw new Error(`${name}: hidden size ${hidden} is not a multiple of the heads (${heads})`)
  // Created in the reference's registration order (out_proj, then qkv).
  const outProj = linear(params, `${name}.out_proj`, hidden, hidden, 'torch')
  const qkv = linear(params, `${name}.qkv`, hidden, 3 * hidden, 'torch', false)
  return (x) => {
    const y = qkv(x)
    return outProj(multiHeadAttention(columns(y, 0, hidden), columns(y, hidden, hidden), columns(y, 2 * hidden, hidden), heads))
  }
}

/** MONAI's MLPBlock: `${name}.linear1` (hidden → mlp), exact GELU, `${name}.linear2` (mlp → hidden), PyTorch init. */
export function vitMlp(params: NetParams, name: string, hidden: number, mlpDim: number): (x: tf.Tensor) => tf.Tensor {
  const linear1 = linear(params, `${name}.linear1`, hidden, mlpDim, 'torch')
  const linear2 = linear(params, `${name}.linear2`, mlpDim, hidden, 'torch')
  return (x) => linear2(gelu(linear1(x)))
}

/** ε of the LayerNorms torch builds with its default (SegFormer's reduction norm and patch-embedding norms). */
export const TORCH_LAYER_NORM_EPSILON = 1e-5

/**
 * SegFormer's efficient self-attention (the Mix Transformer's Attention): queries `${name}.q` from every token;
 * keys and values `${name}.kv` (dim → 2·dim, k then v along its output) from the tokens reduced by `sr` (a conv
 * with kernel = stride = srRatio, `${name}.sr`, then LayerNorm `${name}.norm`, ε 1e-5) when srRatio > 1; output
 * `${name}.proj`. Linear weights truncated N(0, 0.02²) with zero biases (q and kv with biases: the B0–B5 configs
 * set qkv_bias); the reduction conv N(0, 2/fan_out) with fan_out = r²·dim, zero bias. x [B, h·w, dim].
 */
export function efficientSelfAttention(params: NetParams, name: string, dim: number, heads: number, srRatio: number): (x: tf.Tensor, h: number, w: number) => tf.Tensor {
  if (dim % heads !== 0) throw new Error(`${name}: ${dim} features are not a multiple of the heads (${heads})`)
  const q = linear(params, `${name}.q`, dim, dim, 'vit')
  const kv = linear(params, `${name}.kv`, dim, 2 * dim, 'vit')
  const proj = linear(params, `${name}.proj`, dim, dim, 'vit')
  let reduce: ((x: tf.Tensor, h: number, w: number) => tf.Tensor) | null = null
  if (srRatio > 1) {
    const r = srRatio
    const srWeight = params.normal(`${name}.sr.weight`, [r, r, dim, dim], Math.sqrt(2 / (r * r * dim)), 'conv')
    const srBias = params.filled(`${name}.sr.bias`, [dim], 0)
    const norm = layerNorm(params, `${name}.norm`, dim, TORCH_LAYER_NORM_EPSILON)
    reduce = (x, h, w) => {
      if (h % r !== 0 || w % r !== 0) throw new Error(`${name}: a ${h}×${w} token grid does not reduce by ${r}`)
      const b = x.shape[0] as number
      const grid = tf.reshape(x, [b, h, w, dim]) as tf.Tensor4D
      const reduced = tf.fused.conv2d({ x: grid, filter: srWeight as tf.Tensor4D, strides: r, pad: 'valid', bias: srBias })
      return norm(tf.reshape(reduced, [b, (h / r) * (w / r), dim]))
    }
  }
  return (x, h, w) => {
    const keysFrom = reduce ? reduce(x, h, w) : x
    const kvs = kv(keysFrom)
    return proj(multiHeadAttention(q(x), columns(kvs, 0, dim), columns(kvs, dim, dim), heads))
  }
}
