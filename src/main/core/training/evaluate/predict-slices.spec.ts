import { describe, expect, it } from 'vitest'
import type { Axis } from '../../../../shared/volume'
import { createRng } from '../../random/rng'
import { predictBySlices } from './predict-slices'

/** Three classes by thresholding the image: the "net" the tests predict with. */
const threshold = (v: number): number => (v > 0.3 ? 2 : v > -0.2 ? 1 : 0)

function randomImage(n: number, seed: number): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: n }, () => 2 * rng.next() - 1)
}

/** One-hot (scaled to logits when `logits`) of the thresholded image, per pixel. */
function thresholdNet(logits = false) {
  const calls: (readonly number[])[] = []
  const predict = async (images: Float32Array, shape: readonly [number, number, number]): Promise<Float32Array> => {
    calls.push([...shape])
    const out = new Float32Array(images.length * 3).fill(logits ? -2 : 0)
    images.forEach((v, p) => (out[p * 3 + threshold(v)] = logits ? 3 : 1))
    return out
  }
  return { predict, calls }
}

describe('predictBySlices', () => {
  it('reconstructs the thresholded volume exactly along every axis with odd, non-square slices', async () => {
    const dims = [5, 7, 3] as const
    const image = randomImage(5 * 7 * 3, 1)
    const expected = Uint8Array.from(image, threshold)
    for (const sliceAxis of [0, 1, 2] as Axis[]) {
      for (const logits of [false, true]) {
        const net = thresholdNet(logits)
        const labels = await predictBySlices({ dims, sliceAxis, image }, { sizeMultiple: 4, batchSize: 2, numClasses: 3 }, net.predict)
        expect(labels).toEqual(expected)
        // Slices of (W = p, H = q) padded up to multiples of 4, in batches of 2.
        const [h, w] = sliceAxis === 0 ? [4, 8] : sliceAxis === 1 ? [4, 8] : [8, 8]
        const n = dims[sliceAxis]
        expect(net.calls).toEqual(Array.from({ length: Math.ceil(n / 2) }, (_, b) => [Math.min(2, n - 2 * b), h, w]))
      }
    }
  })

  it('centre-pads each slice with 0 as [H][W]', async () => {
    // Axis 2 of a 5×7×1 volume: W = 5 → 8 (left 1), H = 7 → 8 (top 0). Image value = 1 + i + 10 j.
    const dims = [5, 7, 1] as const
    const image = Float32Array.from({ length: 35 }, (_, p) => 1 + (p % 5) + 10 * Math.floor(p / 5))
    let seen: Float32Array | undefined
    await predictBySlices({ dims, sliceAxis: 2, image }, { sizeMultiple: 8, batchSize: 4, numClasses: 2 }, async (images) => {
      seen = images
      return new Float32Array(images.length * 2)
    })
    const expected = Array.from({ length: 8 }, (_, y) => Array.from({ length: 8 }, (_, x) => (y < 7 && x >= 1 && x <= 5 ? 1 + (x - 1) + 10 * y : 0)))
    expect(Array.from({ length: 8 }, (_, y) => Array.from(seen!.subarray(8 * y, 8 * y + 8)))).toEqual(expected)
  })

  it('rejects a prediction of the wrong length', async () => {
    const volume = { dims: [2, 2, 2] as const, sliceAxis: 2 as Axis, image: new Float32Array(8) }
    await expect(predictBySlices(volume, { sizeMultiple: 1, batchSize: 2, numClasses: 2 }, async (x) => new Float32Array(x.length))).rejects.toThrow(RangeError)
  })
})
