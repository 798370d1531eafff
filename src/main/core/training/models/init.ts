/**
 * PyTorch's default initialisation, so a net here starts where the same net in PyTorch would (in
 * distribution): conv and transposed-conv weights and biases U(−b, b) with b = 1/√fan_in. PyTorch draws the
 * weights by kaiming_uniform_(a = √5), whose bound √(6 / ((1 + a²)·fan_in)) is exactly 1/√fan_in, and the
 * biases with the same bound. Every value comes from the injected Rng: the same seed gives the same net.
 */
import type { Rng } from '../../random/rng'

/** PyTorch's bound for a layer with this fan-in: 1/√fan_in. */
export function pytorchBound(fanIn: number): number {
  if (!Number.isInteger(fanIn) || fanIn <= 0) throw new RangeError(`fan-in must be a positive integer, got ${fanIn}`)
  return 1 / Math.sqrt(fanIn)
}

/** `size` values uniform in [−bound, bound) drawn in order from the generator. */
export function uniformValues(rng: Rng, size: number, bound: number): Float32Array {
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * bound
  return out
}

/**
 * Fan-in of a convolution filter in TF.js layout [k…, in, out]: the product of the kernel sizes times the
 * input channels (as PyTorch's Conv: weight.size(1)·k…).
 */
export function convFanIn(filterShape: readonly number[]): number {
  return filterShape.slice(0, -1).reduce((a, b) => a * b, 1)
}

/**
 * Fan-in of a transposed-convolution filter in TF.js layout [k…, out, in]. PyTorch stores a ConvTranspose
 * weight as (in, out, k…) and its fan-in formula reads weight.size(1)·k… = out·k…; we follow it, so the
 * bound is 1/√(out·k…) (and the bias uses the same bound, as in PyTorch).
 */
export function transposedConvFanIn(filterShape: readonly number[]): number {
  return filterShape.slice(0, -1).reduce((a, b) => a * b, 1)
}
