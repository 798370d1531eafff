/**
 * Bilinear resizing of [N, H, W, C] as PyTorch's F.interpolate(mode='bilinear', align_corners=False) computes it
 * (SegFormer's decoder and its final up-sampling), differentiable on every backend.
 *
 * Why not tf.image.resizeBilinear(…, halfPixelCenters = true): its forward pass agrees, but its gradient
 * (ResizeBilinearGrad) ignores halfPixelCenters on cpu and wasm (⟨∇, x⟩ ≠ ⟨w, resize(x)⟩ for the adjoint), and on
 * wasm it fails outright for non-square inputs (a gradient of the transposed shape). So the resize is done as what
 * it is, a separable linear map: one interpolation matrix per axis, applied by matrix products, whose gradients are
 * matrix products too. The matrices are tiny ([out, in] per axis) and the products cost a few dense passes.
 */
import * as tf from '@tensorflow/tfjs'

/**
 * Interpolation weights [outSize, inSize] (row-major) of torch's bilinear with align_corners=False along one axis:
 * output o reads source s = max((o + ½)·in/out − ½, 0) between floor(s) and the next (clamped to the last).
 */
export function bilinearWeights(inSize: number, outSize: number): Float32Array {
  if (!Number.isInteger(inSize) || inSize < 1 || !Number.isInteger(outSize) || outSize < 1) {
    throw new Error(`bilinear resize needs positive integer sizes, got ${inSize} → ${outSize}`)
  }
  const weights = new Float32Array(outSize * inSize)
  const scale = inSize / outSize
  for (let o = 0; o < outSize; o++) {
    const source = Math.max((o + 0.5) * scale - 0.5, 0)
    const i0 = Math.min(Math.floor(source), inSize - 1)
    const i1 = Math.min(i0 + 1, inSize - 1)
    const frac = source - i0
    weights[o * inSize + i0] = (weights[o * inSize + i0] as number) + (1 - frac)
    weights[o * inSize + i1] = (weights[o * inSize + i1] as number) + frac
  }
  return weights
}

/**
 * Interpolates axis 1 of x [A, n, B] (A, B: everything before and after) with `weights` [m, n]: one 2-D product on
 * the [n, A·B] view and back. The transposes move whole B-blocks; a product of the [1, m, n] matrix broadcast over
 * A was 2–4× slower on wasm (XNNPACK runs A small products).
 */
function interpolateAxis(x: tf.Tensor3D, weights: Float32Array, m: number): tf.Tensor3D {
  const [a, n, b] = x.shape
  const matrix = tf.tensor2d(weights, [m, n])
  const rows = tf.reshape(tf.transpose(x, [1, 0, 2]), [n, a * b]) as tf.Tensor2D
  return tf.transpose(tf.reshape(tf.matMul(matrix, rows), [m, a, b]), [1, 0, 2])
}

/** x [N, H, W, C] resized bilinearly to [N, outH, outW, C] (align_corners=False; see the module comment). */
export function resizeBilinear(x: tf.Tensor, [outH, outW]: readonly [number, number]): tf.Tensor {
  if (x.rank !== 4) throw new Error(`bilinear resize takes [N, H, W, C], got shape [${x.shape.join(', ')}]`)
  const [n, h, w, c] = x.shape as [number, number, number, number]
  return tf.tidy(() => {
    let y = x
    if (outH !== h) y = tf.reshape(interpolateAxis(tf.reshape(y, [n, h, w * c]) as tf.Tensor3D, bilinearWeights(h, outH), outH), [n, outH, w, c])
    if (outW !== w) y = tf.reshape(interpolateAxis(tf.reshape(y, [n * outH, w, c]) as tf.Tensor3D, bilinearWeights(w, outW), outW), [n, outH, outW, c])
    return y
  })
}
