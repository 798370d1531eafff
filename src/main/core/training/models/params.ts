/**
 * The named variables of a net as it is built: trainable weights drawn from the injected Rng in creation
 * order (so the same seed gives the same net) and non-trainable state. The names are the checkpoint keys;
 * TF.js's own variable names stay automatic because they must be unique across every net in the process.
 */
import * as tf from '@tensorflow/tfjs'
import type { Rng } from '../../random/rng'
import { pytorchBound, uniformValues } from './init'

/**
 * How a variable's layout relates to PyTorch's for the same tensor, so weights can cross between the two
 * (--init-from a state dict, the PyTorch twins): ours is channels-last TF.js, theirs channels-first.
 *   conv            ours [k…, in, out]           torch Conv [out, in, k…]
 *   conv-transpose  ours [k…, out, in]           torch ConvTranspose [in, out, k…]
 *   depthwise       ours [k…, channels, 1]       torch Conv with groups = channels [channels, 1, k…]
 *   linear          ours [in, out]               torch Linear [out, in]
 *   same            the same shape and order (biases, norms, position embeddings, tokens)
 */
export const torchLayouts = ['conv', 'conv-transpose', 'depthwise', 'linear', 'same'] as const
export type TorchLayout = (typeof torchLayouts)[number]

export class NetParams {
  readonly weights = new Map<string, tf.Variable>()
  readonly state = new Map<string, tf.Variable>()
  /** Every variable's layout against PyTorch's (see TorchLayout). */
  readonly layouts = new Map<string, TorchLayout>()

  constructor(private readonly rng: Rng) {}

  /** A trainable weight U(−1/√fanIn, 1/√fanIn) (PyTorch's default for conv and linear weights and biases). */
  uniform(name: string, shape: number[], fanIn: number, layout: TorchLayout = defaultLayout(shape)): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1)
    return this.add(this.weights, name, tf.tensor(uniformValues(this.rng, size, pytorchBound(fanIn)), shape), true, layout)
  }

  /**
   * A trainable weight N(0, std²), truncated to ±2 (absolute, as torch.nn.init.trunc_normal_'s default a = −2,
   * b = 2) when `truncate` (the ViT and SegFormer inits), drawn from the injected Rng by Box–Muller.
   */
  normal(name: string, shape: number[], std: number, layout: TorchLayout, truncate = false): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1)
    const values = new Float32Array(size)
    for (let i = 0; i < size; i++) {
      let v: number
      do v = std * standardNormal(this.rng)
      while (truncate && Math.abs(v) > 2)
      values[i] = v
    }
    return this.add(this.weights, name, tf.tensor(values, shape), true, layout)
  }

  /** A trainable weight filled with one value (norm gamma = 1, beta = 0, a zero bias). */
  filled(name: string, shape: number[], value: number, layout: TorchLayout = 'same'): tf.Variable {
    return this.add(this.weights, name, tf.fill(shape, value), true, layout)
  }

  /** Non-trainable state filled with one value (running mean = 0, running variance = 1). */
  stateFilled(name: string, shape: number[], value: number): tf.Variable {
    return this.add(this.state, name, tf.fill(shape, value), false, 'same')
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose()
    for (const v of this.state.values()) v.dispose()
  }

  private add(into: Map<string, tf.Variable>, name: string, init: tf.Tensor, trainable: boolean, layout: TorchLayout): tf.Variable {
    if (this.weights.has(name) || this.state.has(name)) throw new Error(`duplicate variable name '${name}'`)
    const v = tf.variable(init, trainable)
    init.dispose()
    into.set(name, v)
    this.layouts.set(name, layout)
    return v
  }
}

/** Rank ≥ 3 is a conv filter [k…, in, out] (the U-Nets' convs and 1×1 heads); vectors are the same in both. */
function defaultLayout(shape: readonly number[]): TorchLayout {
  return shape.length >= 3 ? 'conv' : 'same'
}

/** One N(0, 1) draw from two uniforms (Box–Muller; 1 − u keeps the logarithm finite). */
function standardNormal(rng: Rng): number {
  const u = 1 - rng.next()
  const v = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
