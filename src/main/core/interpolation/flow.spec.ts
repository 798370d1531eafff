import { describe, expect, it } from 'vitest'
import { binomial, invertField, registerSlices } from './flow'

function blob(w: number, h: number, cx: number, cy: number, s: number): Float32Array {
  const out = new Float32Array(w * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
  return out
}

describe('registerSlices (multi-scale demons)', () => {
  it('recovers a 1.5-pixel shift of a smooth blob within 0.3 pixel where the blob is', () => {
    const w = 40
    const h = 36
    const source = blob(w, h, 20, 18, 4)
    const target = blob(w, h, 21.5, 18, 4) // target(x) = source(x − 1.5): u should be −1.5 along x
    const f = registerSlices(source, target, w, h, { iterations: 20, smoothing: 0.75, maxSize: 96 })
    let sx = 0
    let sy = 0
    let n = 0
    for (let y = 14; y <= 22; y++) {
      for (let x = 16; x <= 26; x++) {
        sx += f.ux[y * w + x] as number
        sy += f.uy[y * w + x] as number
        n++
      }
    }
    expect(sx / n).toBeGreaterThan(-1.8)
    expect(sx / n).toBeLessThan(-1.2)
    expect(Math.abs(sy / n)).toBeLessThan(0.3)
  })

  it('returns a zero field for identical slices', () => {
    const img = blob(20, 20, 10, 10, 3)
    const f = registerSlices(img, img, 20, 20, { iterations: 6, smoothing: 0.75, maxSize: 96 })
    expect(Math.max(...f.ux.map(Math.abs), ...f.uy.map(Math.abs))).toBeLessThan(1e-6)
  })
})

describe('invertField', () => {
  it('inverts a constant shift exactly', () => {
    const w = 6
    const h = 5
    const f = invertField({ w, h, ux: new Float32Array(w * h).fill(0.7), uy: new Float32Array(w * h).fill(-0.3) })
    for (let p = 0; p < w * h; p++) {
      expect(f.ux[p]).toBeCloseTo(-0.7, 6)
      expect(f.uy[p]).toBeCloseTo(0.3, 6)
    }
  })
})

describe('binomial', () => {
  it('keeps constants and spreads a spike as [1 2 1]/4 ⊗ [1 2 1]/4', () => {
    const a = new Float32Array(25).fill(2)
    binomial(a, 5, 5, new Float32Array(25))
    expect(Array.from(a).every((v) => Math.abs(v - 2) < 1e-6)).toBe(true)
    const s = new Float32Array(25)
    s[12] = 16
    binomial(s, 5, 5, new Float32Array(25))
    expect(s[12]).toBeCloseTo(4)
    expect(s[11]).toBeCloseTo(2)
    expect(s[6]).toBeCloseTo(1)
  })
})
