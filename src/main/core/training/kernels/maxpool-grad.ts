/**
 * The gradient of a 2D max-pool (NHWC): each output's upstream gradient goes to the first maximum of its window
 * in row-major scan order (as TF.js's cpu backend and PyTorch route it; padded positions never win; a window
 * of NaNs or −∞ only passes none). Replaces the wasm backend's MaxPoolGrad, which drops the gradient of every
 * window whose maximum is ≤ 0: harmless after a ReLU, wrong for a pool of signed values (the Inception module's
 * pool branch).
 */

/** The geometry of one pool, as TF.js's computePool2DInfo gives it. */
export interface Pool2dGeometry {
  readonly batch: number
  readonly inHeight: number
  readonly inWidth: number
  readonly channels: number
  readonly outHeight: number
  readonly outWidth: number
  readonly strideHeight: number
  readonly strideWidth: number
  readonly filterHeight: number
  readonly filterWidth: number
  readonly padTop: number
  readonly padLeft: number
}

/** dx [N, H, W, C] of the pool of x [N, H, W, C], given dy [N, outH, outW, C]. */
export function maxPool2dGradient(x: Float32Array, dy: Float32Array, g: Pool2dGeometry): Float32Array {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = g
  if (x.length !== batch * H * W * C) throw new RangeError(`max-pool gradient: x holds ${x.length} values, the geometry ${batch * H * W * C}`)
  if (dy.length !== batch * OH * OW * C) throw new RangeError(`max-pool gradient: dy holds ${dy.length} values, the geometry ${batch * OH * OW * C}`)
  const dx = new Float32Array(x.length)
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * g.strideHeight - g.padTop
      const yFrom = Math.max(0, y0)
      const yTo = Math.min(H, y0 + g.filterHeight)
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft
        const xFrom = Math.max(0, x0)
        const xTo = Math.min(W, x0 + g.filterWidth)
        const out = ((n * OH + oy) * OW + ox) * C
        for (let c = 0; c < C; c++) {
          let best = -Infinity
          let at = -1
          for (let yy = yFrom; yy < yTo; yy++) {
            for (let xx = xFrom; xx < xTo; xx++) {
              const i = ((n * H + yy) * W + xx) * C + c
              if ((x[i] as number) > best) {
                best = x[i] as number
                at = i
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[out + c] as number)
        }
      }
    }
  }
  return dx
}
