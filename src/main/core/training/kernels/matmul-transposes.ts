/**
 * wasm's `BatchMatMul` is fast (XNNPACK) only without transpose flags: with transposeA or transposeB it took
 * 8–12× longer than materialising the transpose and multiplying plainly (e.g. [32768, 64]·[32, 64]ᵀ: 122 ms
 * flagged, 7 + 11 ms transposed first). Every matMul gradient uses the flags, so this wrapper rewrites a
 * flagged product as an explicit transpose of the last two axes followed by the stock, unflagged kernel.
 */
import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'

/** Transposes the last two axes. */
function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i)
  perm[t.rank - 2] = t.rank - 1
  perm[t.rank - 1] = t.rank - 2
  return tf.transpose(t, perm)
}

/** A wrapper of the stock wasm `BatchMatMul` config that materialises transposes (see the module comment). */
export function matMulWithoutTransposeFlags(stockConfig: KernelConfig): KernelConfig {
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    ...(stockConfig.setupFunc ? { setupFunc: stockConfig.setupFunc } : {}),
    ...(stockConfig.disposeFunc ? { disposeFunc: stockConfig.disposeFunc } : {}),
    kernelFunc: ({ inputs, attrs, backend }) => {
      const a: TensorInfo | undefined = inputs.a
      const b: TensorInfo | undefined = inputs.b
      const transposeA = attrs?.transposeA === true
      const transposeB = attrs?.transposeB === true
      if ((!transposeA && !transposeB) || !(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) {
        return stockConfig.kernelFunc({ inputs, attrs: attrs ?? {}, backend })
      }
      // The inner matMul has no flags, so it reaches the stock kernel through the first branch.
      return tf.tidy(() => tf.matMul(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b))
    },
  }
}
