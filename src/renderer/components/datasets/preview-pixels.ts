// The dataset preview's picture: a slice's grey image with its label values blended over it in one colour per
// value, as RGBA for a canvas. Rows are flipped so the slice's second axis points up, as in the inspector.
import type { VolumePreview } from '../../../shared/api'

/** Label colours by value (1, 2, …), repeating past the last. */
export const previewLabelColours: readonly (readonly [number, number, number])[] = [
  [60, 220, 90],
  [70, 140, 255],
  [255, 160, 40],
  [230, 70, 200],
  [240, 230, 60],
]

/** The colour of a label value (> 0). */
export function previewColour(value: number): readonly [number, number, number] {
  return previewLabelColours[(value - 1) % previewLabelColours.length] as readonly [number, number, number]
}

/** RGBA pixels of the preview: grey image, labelled voxels blended with their colour at `opacity`. */
export function previewPixels(preview: Pick<VolumePreview, 'width' | 'height' | 'image' | 'label'>, opacity = 0.5): Uint8ClampedArray<ArrayBuffer> {
  const { width, height } = preview
  const out = new Uint8ClampedArray(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = y * width + x
      const target = ((height - 1 - y) * width + x) * 4
      const grey = preview.image[source] ?? 0
      const label = preview.label[source] ?? 0
      const [r, g, b] = label > 0 ? previewColour(label) : [grey, grey, grey]
      const a = label > 0 ? opacity : 0
      out[target] = grey * (1 - a) + r * a
      out[target + 1] = grey * (1 - a) + g * a
      out[target + 2] = grey * (1 - a) + b * a
      out[target + 3] = 255
    }
  }
  return out
}
