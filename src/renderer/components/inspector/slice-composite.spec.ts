import { describe, expect, it } from 'vitest'
import { composeSlice, compositeSize, extractSlice, planeAxes, type CompositeInput, type MaskOverlay, type Rgb } from './slice-composite'

/** A 3×4×5 volume whose value says where it is: i + 10 j + 100 k. */
function coordinates(): { values: Float32Array; dims: [number, number, number] } {
  const dims: [number, number, number] = [3, 4, 5]
  const values = new Float32Array(60)
  for (let k = 0, p = 0; k < 5; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 3; i++, p++) values[p] = i + 10 * j + 100 * k
  return { values, dims }
}

const red: Rgb = [1, 0, 0]
const blue: Rgb = [0, 0, 1]
const mask = (labels: number[], style: Partial<MaskOverlay['style']>, colour: Rgb = red): MaskOverlay => ({
  labels,
  style: { visible: true, opacity: 1, mode: 'filled', ...style },
  colour: () => colour,
})
const base = (over: Partial<CompositeInput>): CompositeInput => ({ width: 2, height: 2, scale: 1, outline: 1, background: [0, 0, 0], masks: [], ...over })
/** The RGB of picture pixel (x, y) of a picture `width` pixels wide. */
const pixel = (pixels: Uint8Array, width: number, x: number, y: number): number[] => Array.from(pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3))

describe('extractSlice', () => {
  it('takes a slice along each axis with the lower remaining axis running fastest', () => {
    const grid = coordinates()
    expect(planeAxes(0)).toEqual([1, 2])
    // Along i: j fastest, then k.
    expect(Array.from(extractSlice(grid, 0, 2))).toEqual([0, 1, 2, 3, 4].flatMap((k) => [0, 1, 2, 3].map((j) => 2 + 10 * j + 100 * k)))
    // Along j: i fastest, then k.
    expect(Array.from(extractSlice(grid, 1, 3))).toEqual([0, 1, 2, 3, 4].flatMap((k) => [0, 1, 2].map((i) => i + 30 + 100 * k)))
    // Along k: i fastest, then j; a view into the volume, not a copy.
    const axial = extractSlice(grid, 2, 4)
    expect(Array.from(axial)).toEqual([0, 1, 2, 3].flatMap((j) => [0, 1, 2].map((i) => i + 10 * j + 400)))
    expect((axial as Float32Array).buffer).toBe(grid.values.buffer)
  })

  it('fills a given buffer of the right length and refuses a slice outside the volume', () => {
    const grid = coordinates()
    const out = new Float32Array(20)
    expect(extractSlice(grid, 0, 1, out)).toBe(out)
    expect(() => extractSlice(grid, 1, 4)).toThrow('slice 4 is outside 0…3 along axis 1')
  })
})

describe('composeSlice', () => {
  it('windows the image to grey, clamping outside the window, and shows the background before the image arrives', () => {
    const pixels = composeSlice(base({ image: { values: [0, 50, 100, 150], window: [50, 150] } }))
    expect(Array.from(pixels)).toEqual([0, 0, 0, 0, 0, 0, 128, 128, 128, 255, 255, 255])
    expect(pixel(composeSlice(base({ background: [0.2, 0.4, 1] })), 2, 1, 1)).toEqual([51, 102, 255])
  })

  it('spreads each voxel over scale × scale pixels, rows along u, and reuses a buffer of the right size', () => {
    const input = base({ width: 2, height: 1, scale: 3, image: { values: [0, 10], window: [0, 10] } })
    expect(compositeSize(input)).toEqual([6, 3])
    const out = new Uint8Array(6 * 3 * 3)
    const pixels = composeSlice(input, out)
    expect(pixels).toBe(out)
    for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) expect(pixel(pixels, 6, x, y)).toEqual(x < 3 ? [0, 0, 0] : [255, 255, 255])
    expect(() => composeSlice(base({ scale: 1.5 }))).toThrow('scale must be a whole number ≥ 1, not 1.5')
  })

  it('blends a filled mask by its opacity over labelled voxels only, and not at all when hidden', () => {
    const image = { values: [100, 100, 100, 100], window: [0, 100] as const }
    const pixels = composeSlice(base({ image, masks: [mask([0, 1, 0, 0], { opacity: 0.25 })] }))
    expect(pixel(pixels, 2, 0, 0)).toEqual([255, 255, 255])
    expect(pixel(pixels, 2, 1, 0)).toEqual([255, 191, 191])
    const hidden = composeSlice(base({ image, masks: [mask([0, 1, 0, 0], { visible: false })] }))
    expect(pixel(hidden, 2, 1, 0)).toEqual([255, 255, 255])
  })

  it('draws a contour inside the label along its edges with other values, thinner than a voxel, never along the slice border', () => {
    // 3×3 voxels, label 1 in the left two columns; 4 pixels a voxel, outline 1 pixel.
    const labels = [1, 1, 0, 1, 1, 0, 1, 1, 0]
    const pixels = composeSlice(base({ width: 3, height: 3, scale: 4, outline: 1, masks: [mask(labels, { mode: 'contour' })] }))
    const width = 12
    const coloured = (x: number, y: number): boolean => pixel(pixels, width, x, y)[0] === 255
    // The edge is between voxel columns 1 and 2 (pixels 7 | 8): only pixel column 7 is drawn, in every row.
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) expect(coloured(x, y), `pixel ${x},${y}`).toBe(x === 7)
    }
    // Outline 2 pixels: columns 6 and 7.
    const thick = composeSlice(base({ width: 3, height: 3, scale: 4, outline: 2, masks: [mask(labels, { mode: 'contour' })] }))
    expect([5, 6, 7, 8].map((x) => pixel(thick, width, x, 5)[0] === 255)).toEqual([false, true, true, false])
  })

  it('draws an edge between two labels in each label, and a lone voxel as a ring', () => {
    const pixels = composeSlice(base({ width: 3, height: 1, scale: 3, outline: 1, masks: [mask([1, 2, 0], { mode: 'contour' })] }))
    const row = (y: number): boolean[] => Array.from({ length: 9 }, (_, x) => pixel(pixels, 9, x, y)[0] === 255)
    // Voxel 0 (label 1) meets label 2 on its right; voxel 1 (label 2) meets 1 on its left and 0 on its right.
    expect(row(1)).toEqual([false, false, true, true, false, true, false, false, false])
    const ring = composeSlice(base({ width: 3, height: 3, scale: 3, outline: 1, masks: [mask([0, 0, 0, 0, 1, 0, 0, 0, 0], { mode: 'contour' })] }))
    const ringAt = (x: number, y: number): boolean => pixel(ring, 9, x, y)[0] === 255
    expect([3, 4, 5].map((x) => ringAt(x, 3))).toEqual([true, true, true])
    expect([3, 4, 5].map((x) => ringAt(x, 4))).toEqual([true, false, true])
    expect(ringAt(2, 4)).toBe(false)
  })

  it('lays masks in the given order: a filled mask after a contour covers it, one before it lies under it', () => {
    const labels = [1, 0]
    const input = (masks: MaskOverlay[]) => base({ width: 2, height: 1, scale: 2, outline: 1, masks })
    const over = composeSlice(input([mask(labels, { mode: 'contour' }, red), mask(labels, { mode: 'filled' }, blue)]))
    expect(pixel(over, 4, 1, 0)).toEqual([0, 0, 255])
    const under = composeSlice(input([mask(labels, { mode: 'filled' }, blue), mask(labels, { mode: 'contour' }, red)]))
    expect(pixel(under, 4, 1, 0)).toEqual([255, 0, 0])
    expect(pixel(under, 4, 0, 0)).toEqual([0, 0, 255])
  })
})
