import { describe, expect, it } from 'vitest'
import { cssColour, labelColour, labelPalettes, maskColours } from './label-colours'

describe('label colours', () => {
  it('gives every label of both masks its own colour, for as many labels as a palette holds', () => {
    const seen = new Set<string>()
    for (const layer of ['human', 'interpolated'] as const) {
      for (let value = 1; value <= labelPalettes[layer].length; value++) seen.add(cssColour(labelColour(layer, value)))
    }
    expect(seen.size).toBe(labelPalettes.human.length + labelPalettes.interpolated.length)
  })

  it('cycles past the palette and uses label 1 as the mask colour', () => {
    expect(labelColour('human', labelPalettes.human.length + 2)).toEqual(labelColour('human', 2))
    expect(maskColours.interpolated).toEqual(labelColour('interpolated', 1))
    expect(cssColour([1, 0.5, 0])).toBe('rgb(255, 128, 0)')
  })
})
