// The overlay colours, defined once: every label value has its own colour in each mask, and the two masks use
// different palettes (people in greens and blues, the algorithm in magentas and oranges), so a label and
// its source are both readable in the slice view, the legend and the 3D view.
import type { MaskLayer, Rgb } from './slice-composite'

export type { Rgb } from './slice-composite'

/** Per mask, the colours of label values 1, 2, 3 … (cycled past the end). */
export const labelPalettes: Record<MaskLayer, readonly Rgb[]> = {
  human: [
    [0.2, 0.9, 0.35],
    [0.25, 0.6, 1.0],
    [1.0, 0.85, 0.25],
    [0.3, 0.95, 0.95],
    [0.6, 0.95, 0.2],
    [0.55, 0.45, 1.0],
  ],
  interpolated: [
    [1.0, 0.3, 0.8],
    [1.0, 0.55, 0.1],
    [1.0, 0.25, 0.25],
    [0.8, 0.45, 1.0],
    [1.0, 0.75, 0.55],
    [0.85, 0.2, 0.5],
  ],
}

/** The colour of a label value (≥ 1) in a mask. */
export function labelColour(layer: MaskLayer, value: number): Rgb {
  const palette = labelPalettes[layer]
  return palette[(Math.max(1, Math.round(value)) - 1) % palette.length] ?? [1, 1, 1]
}

/** One colour per mask where labels are not told apart (the 3D surfaces, the overlay switches): its label 1 colour. */
export const maskColours: Record<MaskLayer, Rgb> = { human: labelColour('human', 1), interpolated: labelColour('interpolated', 1) }

/** An Rgb as CSS. */
export function cssColour([r, g, b]: Rgb): string {
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`
}
