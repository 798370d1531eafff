import { describe, expect, it } from 'vitest'
import { previewColour, previewPixels } from './preview-pixels'

describe('previewPixels', () => {
  it('draws the grey image with labelled voxels blended in their colour, second axis up', () => {
    // 2 × 2: bottom row (y = 0) is 0 and 255, the top row 100 with label 1 on the right.
    const pixels = previewPixels({ width: 2, height: 2, image: [0, 255, 100, 100], label: [0, 0, 0, 1] }, 0.5)
    const at = (x: number, row: number): number[] => Array.from(pixels.slice((row * 2 + x) * 4, (row * 2 + x) * 4 + 4))
    // Canvas row 1 (the bottom) holds y = 0.
    expect(at(0, 1)).toEqual([0, 0, 0, 255])
    expect(at(1, 1)).toEqual([255, 255, 255, 255])
    expect(at(0, 0)).toEqual([100, 100, 100, 255])
    const [r, g, b] = previewColour(1)
    expect(at(1, 0)).toEqual([Math.round((100 + r) / 2), Math.round((100 + g) / 2), Math.round((100 + b) / 2), 255])
  })

  it('gives each label value its own colour, repeating after the palette', () => {
    expect(previewColour(1)).not.toEqual(previewColour(2))
    expect(previewColour(6)).toEqual(previewColour(1))
  })
})
