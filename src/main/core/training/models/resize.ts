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

/** x [N, H, W, C] resized bilinearly to [N, outH, outW, C] (align_corners=False; see the module comment). */
export function resizeBilinear(x: tf.Tensor, [outH, outW]: readonly [number, number]): tf.Tensor {
  if (x.rank !== 4) throw new Error(`bilinear resize takes [N, H, W, C], got shape [${x.shape.join(', ')}]`)
  const [n, h, w, c] = x.shape as [number, number, number, number]
  return tf.tidy(() => {
    let y = x
    if (outH !== h) {
      // Rows: [1, outH, H] · [N, H, W·C], the matrix broadcast over the batch.
      const rows = tf.tensor3d(bilinearWeights(h, outH), [1, outH, h])
      y = tf.reshape(tf.matMul(rows, tf.reshape(y, [n, h, w * c]) as tf.Tensor3D), [n, outH, w, c])
    }
    if (outW !== w) {
      // Columns: [1, outW, W] · [N·outH, W, C].
      const cols = tf.tensor3d(bilinearWeights(w, outW), [1, outW, w])
      y = tf.reshape(tf.matMul(cols, tf.reshape(y, [n * outH, w, c]) as tf.Tensor3D), [n, outH, outW, c])
    }
    return y
  })
}
