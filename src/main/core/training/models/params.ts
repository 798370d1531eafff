/**
 * The named variables of a net as it is built: trainable weights drawn from the injected Rng in creation
 * order (so the same seed gives the same net) and non-trainable state. The names are the checkpoint keys;
 * TF.js's own variable names stay automatic because they must be unique across every net in the process.
 */
import * as tf from '@tensorflow/tfjs'
import type { Rng } from '../../random/rng'
import { pytorchBound, uniformValues } from './init'

export class NetParams {
  readonly weights = new Map<string, tf.Variable>()
  readonly state = new Map<string, tf.Variable>()

  constructor(private readonly rng: Rng) {}

  /** A trainable weight U(−1/√fanIn, 1/√fanIn) (PyTorch's default for conv weights and biases). */
  uniform(name: string, shape: number[], fanIn: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1)
    return this.add(this.weights, name, tf.tensor(uniformValues(this.rng, size, pytorchBound(fanIn)), shape), true)
  }

  /** A trainable weight filled with one value (norm gamma = 1, beta = 0). */
  filled(name: string, shape: number[], value: number): tf.Variable {
    return this.add(this.weights, name, tf.fill(shape, value), true)
  }

  /** Non-trainable state filled with one value (running mean = 0, running variance = 1). */
  stateFilled(name: string, shape: number[], value: number): tf.Variable {
    return this.add(this.state, name, tf.fill(shape, value), false)
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose()
    for (const v of this.state.values()) v.dispose()
  }

  private add(into: Map<string, tf.Variable>, name: string, init: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.weights.has(name) || this.state.has(name)) throw new Error(`duplicate variable name '${name}'`)
    const v = tf.variable(init, trainable)
    init.dispose()
    into.set(name, v)
    return v
  }
}
