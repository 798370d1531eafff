/**
 * A gradient for TF.js's Conv3DBackpropInputV2, the kernel tf.conv3dTranspose runs: TF.js registers none
 * (on any backend), so a 3D U-Net's transposed-convolution up-sampling would not train. The kernel maps
 * (dy, filter) to the input-gradient of a forward conv3d with that filter; its own gradients are
 *   d/d dy     = conv3d(G, filter)                    (same strides and padding),
 *   d/d filter = conv3DBackpropFilter(x = G, dy = dy)  (the forward conv's filter gradient),
 * since ⟨G, convᵀ(dy, f)⟩ = ⟨conv(G, f), dy⟩. Both run through kernels the project makes fast on wasm.
 * Gradient functions are global (not per backend), so this is registered once for every backend.
 */
import * as tf from '@tensorflow/tfjs'
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs'

const KERNEL = 'Conv3DBackpropInputV2'

/** Strides as a triple; the attribute may be a number or an array. */
function triple(value: unknown): [number, number, number] {
  if (typeof value === 'number') return [value, value, value]
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number')) return value as [number, number, number]
  throw new Error(`${KERNEL} gradient: strides ${JSON.stringify(value)} are not a number or a triple`)
}

function padding(value: unknown): 'same' | 'valid' {
  if (value === 'same' || value === 'valid') return value
  throw new Error(`${KERNEL} gradient: padding ${JSON.stringify(value)} is not 'same' or 'valid'`)
}

const conv3dTransposeGradConfig: GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (g: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const grad = g as tf.Tensor5D
    const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D]
    const strides = triple(attrs.strides)
    const pad = padding(attrs.pad)
    return {
      dy: () => tf.conv3d(grad, filter, strides, pad),
      filter: () =>
        tf.engine().runKernel('Conv3DBackpropFilterV2', { x: grad, dy }, { strides, pad, filterShape: filter.shape }) as tf.Tensor5D,
    }
  },
}

/** Registers the gradient once (idempotent; leaves one registered by someone else, e.g. a later TF.js). */
export function registerConv3dTransposeGradient(): void {
  if (tf.getGradient(KERNEL) !== undefined) return
  tf.registerGradient(conv3dTransposeGradConfig)
}
