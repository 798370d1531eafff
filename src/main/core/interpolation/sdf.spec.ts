import { describe, expect, it } from 'vitest'
import { run, sliceArea } from './spec-helpers'

/** A ball of radius R centred in an n³ cube (label 1), and a flat image. */
function ball(n: number, R: number, c: number): { dims: [number, number, number]; label: Uint8Array; image: Float32Array } {
  const label = new Uint8Array(n * n * n)
  for (let k = 0, p = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, p++) if ((i - c) ** 2 + (j - c) ** 2 + (k - c) ** 2 <= R * R) label[p] = 1
  return { dims: [n, n, n], label, image: new Float32Array(n * n * n) }
}

describe('interpolateSdf', () => {
  it('reproduces the circles of a sphere between annotated slices 4 apart within 1 pixel of radius', () => {
    const { dims, label, image } = ball(41, 15, 20)
    const annotated = [8, 12, 16, 20, 24, 28, 32]
    const { dense } = run(dims, image, label, annotated, 'sdf')
    for (let k = 8; k <= 32; k++) {
      // The radius of the disc with the same area: robust to the pixel staircase.
      const r = Math.sqrt(sliceArea(dense, 41, 41, k) / Math.PI)
      const truth = Math.sqrt(15 * 15 - (k - 20) ** 2)
      expect(Math.abs(r - truth), `slice ${k}: radius ${r.toFixed(2)} vs ${truth.toFixed(2)}`).toBeLessThan(1)
    }
  })

  it('blends the radii of two concentric circles linearly (within 0.75 pixel) and leaves slices beyond empty', () => {
    const n = 41
    const label = new Uint8Array(n * n * 21)
    const put = (k: number, r: number): void => {
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if ((i - 20) ** 2 + (j - 20) ** 2 <= r * r) label[i + n * (j + n * k)] = 1
    }
    put(5, 6)
    put(15, 16)
    const { dense, slices } = run([n, n, 21], new Float32Array(n * n * 21), label, [5, 15], 'sdf')
    for (let k = 6; k < 15; k++) {
      const r = Math.sqrt(sliceArea(dense, n, n, k) / Math.PI)
      expect(Math.abs(r - (6 + (k - 5)))).toBeLessThan(0.75)
    }
    for (const k of [0, 4, 16, 20]) expect(sliceArea(dense, n, n, k)).toBe(0)
    expect(slices[4]?.source).toBe('empty')
    expect(slices[10]).toEqual({ index: 10, source: 'interpolated', distance: 5 })
  })

  it('closes a label that is absent on one annotated slice halfway toward it', () => {
    const n = 21
    const label = new Uint8Array(n * n * 11)
    for (let j = 5; j <= 15; j++) for (let i = 5; i <= 15; i++) label[i + n * j] = 1 // slice 0 only
    label[10 + n * 10 + n * n * 10] = 2 // slice 10 annotated with another label only
    const { dense } = run([n, n, 11], new Float32Array(n * n * 11), label, [0, 10], 'sdf')
    const areaOf = (k: number, value: number): number => {
      let c = 0
      for (let p = k * n * n; p < (k + 1) * n * n; p++) if (dense[p] === value) c++
      return c
    }
    expect(areaOf(1, 1)).toBeGreaterThan(0)
    expect(areaOf(4, 1)).toBeLessThan(areaOf(1, 1))
    expect(areaOf(6, 1)).toBe(0)
  })
})
