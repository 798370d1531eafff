import { describe, expect, it } from 'vitest'
import { EdtScratch, FAR, signedDistance, squaredDistance } from './edt'

/** Brute-force squared distance to the nearest pixel with mask ≠ 0 (the definition the transform must meet). */
function brute(mask: Uint8Array, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h).fill(FAR)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let v = 0; v < h; v++)
        for (let u = 0; u < w; u++) if (mask[v * w + u]) out[y * w + x] = Math.min(out[y * w + x] as number, (x - u) ** 2 + (y - v) ** 2)
  return out
}

describe('squaredDistance (Felzenszwalb–Huttenlocher)', () => {
  it('equals brute force on random masks of several shapes and densities', () => {
    let seed = 7
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32)
    const scratch = new EdtScratch()
    for (const [w, h, density] of [[1, 1, 0.5], [7, 3, 0.1], [13, 17, 0.02], [20, 9, 0.3], [5, 30, 0.05]] as const) {
      const mask = new Uint8Array(w * h).map(() => (rand() < density ? 1 : 0))
      mask[Math.floor(rand() * w * h)] = 1
      const out = new Float64Array(w * h)
      squaredDistance(mask, w, h, true, out, scratch)
      expect(Array.from(out)).toEqual(Array.from(brute(mask, w, h)))
    }
  })

  it('gives at least FAR everywhere when the set is empty', () => {
    const out = new Float64Array(12)
    squaredDistance(new Uint8Array(12), 4, 3, true, out, new EdtScratch())
    expect(Math.min(...out)).toBeGreaterThanOrEqual(FAR)
  })
})

describe('signedDistance', () => {
  it('is positive exactly on the mask, ±½ next to the boundary, and grows with depth', () => {
    const w = 9
    const h = 9
    const mask = new Uint8Array(w * h)
    for (let y = 2; y <= 6; y++) for (let x = 2; x <= 6; x++) mask[y * w + x] = 1
    const phi = new Float32Array(w * h)
    signedDistance(mask, w, h, phi, new EdtScratch(), { inside: new Float64Array(w * h), outside: new Float64Array(w * h) })
    for (let p = 0; p < w * h; p++) expect((phi[p] as number) > 0).toBe(mask[p] === 1)
    expect(phi[2 * w + 2]).toBe(0.5) // inside pixel touching the outside
    expect(phi[2 * w + 1]).toBe(-0.5) // outside pixel touching the inside
    expect(phi[4 * w + 4]).toBe(2.5) // the centre is 3 pixels from the nearest outside pixel
  })
})
