import { describe, expect, it } from 'vitest'
import { containsObject, propagateDefaults } from './propagate'
import { run, sliceArea, sliceIoU } from './spec-helpers'
import { deformingObject } from './synthetic'

const N = 40
/** A disc of radius 6 sliding 0.75 pixel per slice along x (21 pixels over the gap below), present on slices 4..35. */
const sliding = deformingObject(N, (k) => (k >= 4 && k < 36 ? { cx: 8 + 0.75 * k, cy: 20, rx: 6, ry: 6 } : undefined))
const dims: [number, number, number] = [N, N, N]
const image = sliding.image.data as Float32Array
const truth = sliding.label

describe('propagate on a disc translating across slices', () => {
  // The disc at slice 30 has moved 18 pixels from slice 6: the two annotated discs do not even overlap.
  const annotated = [6, 30]

  for (const fusion of ['first', 'weighted'] as const) {
    // Tolerance: registration error accumulates by about a pixel over ten slices, so the slices farthest from
    // both annotated ones (around 20) keep IoU ≥ 0.6 and the object as a whole ≥ 0.85.
    it(`follows the disc on every slice between and beyond the annotated ones (each IoU ≥ 0.6, mean ≥ 0.85; ${fusion})`, () => {
      const { dense } = run(dims, image, truth, annotated, 'propagate', { fusion })
      let sum = 0
      for (let k = 4; k < 36; k++) {
        const iou = sliceIoU(dense, truth, N, N, k)
        expect(iou, `slice ${k}`).toBeGreaterThanOrEqual(0.6)
        sum += iou
      }
      expect(sum / 32).toBeGreaterThanOrEqual(0.85)
    })

    it(`stops where the object ends: slices beyond it stay 0 (${fusion})`, () => {
      const { dense, slices } = run(dims, image, truth, annotated, 'propagate', { fusion })
      for (const k of [0, 1, 2, 3, 36, 37, 38, 39]) {
        expect(sliceArea(dense, N, N, k), `slice ${k}`).toBe(0)
        expect(slices[k]?.source).toBe('empty')
      }
      expect(slices[35]?.source).toBe('interpolated')
    })
  }

  it('cannot be matched by shape interpolation between the distant slices (sdf IoU < 0.3 midway)', () => {
    const { dense } = run(dims, image, truth, annotated, 'sdf')
    for (const k of [16, 18, 20]) expect(sliceIoU(dense, truth, N, N, k)).toBeLessThan(0.3)
  })
})

describe('fusion where two fronts meet', () => {
  // A flat image gives registration nothing to follow (zero flow) and intensity nothing to change, so each
  // front carries its annotated disc unchanged: radius 4 from slice 2, radius 8 from slice 10.
  const n = 32
  const flat = new Float32Array(n * n * 13).fill(5)
  const label = new Uint8Array(n * n * 13)
  const disc = (k: number, r: number): void => {
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if ((i - 16) ** 2 + (j - 16) ** 2 <= r * r) label[i + n * (j + n * k)] = 1
  }
  disc(2, 4)
  disc(10, 8)
  const areas = (fusion: 'first' | 'weighted'): number[] => {
    const { dense } = run([n, n, 13], flat, label, [2, 10], 'propagate', { fusion, intensityWeight: 0 })
    return Array.from({ length: 13 }, (_, k) => sliceArea(dense, n, n, k))
  }

  it("'first' gives each slice to the nearer front, the midway slice to the lower one", () => {
    const a = areas('first')
    const small = a[2] as number
    const big = a[10] as number
    expect(a.slice(0, 7)).toEqual(Array(7).fill(small)) // slices 0..6: 6 is midway (4 from each), lower wins
    expect(a.slice(7)).toEqual(Array(6).fill(big))
  })

  it("'weighted' blends the two fronts: the area grows from one disc to the other, strictly in the middle", () => {
    const a = areas('weighted')
    for (let k = 3; k <= 10; k++) expect(a[k] as number).toBeGreaterThanOrEqual(a[k - 1] as number)
    for (let k = 5; k <= 7; k++) expect(a[k] as number).toBeGreaterThan(a[k - 1] as number)
    // Midway the blend of radii 4 and 8 is a disc of radius ≈ 6.
    expect(Math.sqrt((a[6] as number) / Math.PI)).toBeGreaterThan(5.3)
    expect(Math.sqrt((a[6] as number) / Math.PI)).toBeLessThan(6.7)
  })
})

describe('containsObject (the stopping rule)', () => {
  const o = propagateDefaults
  const model = { mean: 2, std: 0.5, area: 100 }
  const slice = (inside: number, value: number): { phi: Float32Array; img: Float32Array } => {
    const phi = new Float32Array(400).fill(-1)
    phi.fill(1, 0, inside)
    return { phi, img: new Float32Array(400).fill(value) }
  }

  it('holds for a mask of enough pixels on tissue that looks like the annotated object', () => {
    const { phi, img } = slice(50, 2.4)
    expect(containsObject(phi, img, model, o)).toBe(true)
  })

  it('fails below minPixels or below minAreaRatio of the annotated area', () => {
    expect(containsObject(slice(3, 2).phi, slice(3, 2).img, { ...model, area: 10 }, o)).toBe(false) // 3 < 4 pixels
    expect(containsObject(slice(9, 2).phi, slice(9, 2).img, model, o)).toBe(false) // 9 < 0.1 × 100
    expect(containsObject(slice(10, 2).phi, slice(10, 2).img, model, o)).toBe(true)
  })

  it('fails when the mean intensity moves more than maxIntensityShift standard deviations', () => {
    expect(containsObject(slice(50, 2 + 1.4 * 0.5).phi, slice(50, 2 + 1.4 * 0.5).img, model, o)).toBe(true)
    expect(containsObject(slice(50, 2 + 1.6 * 0.5).phi, slice(50, 2 + 1.6 * 0.5).img, model, o)).toBe(false)
  })
})

describe('propagate with several labels', () => {
  it('carries each label along: the two halves of the sliding disc keep their labels', () => {
    const labels = new Uint8Array(truth.length)
    for (let k = 0, p = 0; k < N; k++) {
      for (let j = 0; j < N; j++) for (let i = 0; i < N; i++, p++) if (truth[p]) labels[p] = j < 20 ? 1 : 2
    }
    const { dense } = run(dims, image, labels, [10, 26], 'propagate')
    for (const value of [1, 2]) {
      let inter = 0
      let union = 0
      for (let p = 0; p < dense.length; p++) {
        const a = dense[p] === value
        const b = labels[p] === value
        if (a && b) inter++
        if (a || b) union++
      }
      expect(inter / union, `label ${value}`).toBeGreaterThan(0.75)
    }
  })
})
