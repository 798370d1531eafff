// The smoothing behind the elastic field against the variance it promises (σ²), measured on an impulse
// response; the elastic field's amplitude and seeding; the 3D bias polynomial against its formula.
import { describe, expect, it } from 'vitest'
import { applyBias3d, blurMargin, boxWidthsForSigma, elasticField, smoothValid } from './fields'

/** Variance of a box of odd width w: (w² − 1)/12 (a discrete uniform over w integers). */
const boxVariance = (w: number): number => (w * w - 1) / 12

describe('smoothing', () => {
  it.each([1, 2, 3, 4, 7.5])('σ = %s: odd box widths whose variances add up to σ² within the odd-width rounding', (sigma) => {
    const widths = boxWidthsForSigma(sigma)
    expect(widths).toHaveLength(3)
    for (const w of widths) expect(w % 2).toBe(1)
    const variance = widths.reduce((s, w) => s + boxVariance(w), 0)
    // Moving one box from w to w + 2 changes the variance by (4w + 4)/12; rounding leaves at most half of that.
    expect(Math.abs(variance - sigma * sigma)).toBeLessThanOrEqual((4 * Math.max(...widths) + 4) / 24 + 1e-9)
  })

  it('the impulse response of smoothValid sums to 1, is symmetric and has variance Σ(w² − 1)/12 per axis', () => {
    const sigma = 3
    const margin = blurMargin(sigma)
    const size = 2 * margin + 1 // one output pixel per axis: the full kernel lands in it
    // Put the impulse at each padded position in turn; output pixel (0,0) then reads the kernel at that offset.
    const kernel: number[][] = []
    for (let y = 0; y < size; y++) {
      const row: number[] = []
      for (let x = 0; x < size; x++) {
        const padded = new Float32Array(size * size)
        padded[y * size + x] = 1
        row.push(smoothValid(padded, 1, 1, sigma)[0] as number)
      }
      kernel.push(row)
    }
    const flat = kernel.flat()
    expect(flat.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
    let varX = 0
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) varX += (kernel[y]?.[x] as number) * (x - margin) ** 2
    const expected = boxWidthsForSigma(sigma).reduce((s, w) => s + boxVariance(w), 0)
    expect(varX).toBeCloseTo(expected, 4)
    expect(Math.abs(Math.sqrt(varX) - sigma) / sigma).toBeLessThan(0.1)
    expect(kernel[margin - 2]?.[margin + 1]).toBeCloseTo(kernel[margin + 2]?.[margin - 1] as number, 7)
  })
})

describe('elasticField', () => {
  it.each([1, 4, 9])('σ = %s: largest component is alpha, same seed gives the same field', (sigma) => {
    const a = elasticField(30, 20, 2, sigma, 77)
    expect(a.dx).toHaveLength(600)
    let peak = 0
    for (let i = 0; i < 600; i++) peak = Math.max(peak, Math.abs(a.dx[i] as number), Math.abs(a.dy[i] as number))
    expect(peak).toBeCloseTo(2, 5)
    expect(elasticField(30, 20, 2, sigma, 77)).toEqual(a)
    expect(elasticField(30, 20, 2, sigma, 78).dx).not.toEqual(a.dx)
    // Larger σ: smoother (smaller mean step between neighbours, relative to the amplitude).
    let step = 0
    for (let i = 1; i < 600; i++) if (i % 20 !== 0) step += Math.abs((a.dx[i] as number) - (a.dx[i - 1] as number))
    expect(step / 580).toBeLessThan(sigma === 1 ? 2 : 1.2 / sigma)
  })

  it('handles one-pixel-wide images and zero amplitude', () => {
    const thin = elasticField(9, 1, 1.5, 4, 3)
    expect(thin.dx).toHaveLength(9)
    expect(Math.max(...Array.from(thin.dx, Math.abs), ...Array.from(thin.dy, Math.abs))).toBeCloseTo(1.5, 5)
    const flat = elasticField(8, 8, 0, 4, 3)
    expect(flat.dx.every((v) => v === 0)).toBe(true)
  })
})

describe('applyBias3d', () => {
  it('multiplies by exp of the polynomial at normalised coordinates', () => {
    const [d, h, w] = [3, 5, 4]
    const image = new Float32Array(d * h * w).fill(2)
    const c = Float64Array.from([0.1, -0.2, 0.05, 0.03, -0.04, 0.02, 0.06, -0.01, 0.08])
    applyBias3d(image, d, h, w, c)
    const norm = (i: number, n: number): number => (2 * i) / (n - 1) - 1
    for (const [z, y, x] of [[0, 0, 0], [2, 4, 3], [1, 2, 1], [0, 3, 2]] as const) {
      const [u, v, s] = [norm(x, w), norm(y, h), norm(z, d)]
      const log = 0.1 * u - 0.2 * v + 0.05 * s + 0.03 * u * v - 0.04 * u * s + 0.02 * v * s + 0.06 * (2 * u * u - 1) - 0.01 * (2 * v * v - 1) + 0.08 * (2 * s * s - 1)
      expect(image[(z * h + y) * w + x]).toBeCloseTo(2 * Math.exp(log), 5)
    }
  })
})
