// One slice of the inspector as a single RGB picture: the windowed image with the human and the interpolated
// mask laid over it (filled or as an outline). Made on the CPU for the slice on show, so the slice view draws
// one opaque textured quad a frame; three stacked translucent slices cost 100–300 ms a frame in software WebGL
// (vtk.js's order-independent translucency pass and its 25-tap outline shader over every screen pixel).
// Pure: typed arrays and options in, pixels out (into a buffer the caller may reuse).

export type MaskLayer = 'human' | 'interpolated'
export type OverlayMode = 'filled' | 'contour'

/** How one mask overlay is drawn. */
export interface OverlayStyle {
  visible: boolean
  /** 0…1 */
  opacity: number
  mode: OverlayMode
}

/** RGB, each 0…1. */
export type Rgb = [number, number, number]

/** A volume's voxels (i fastest) with its shape. */
export interface VolumeGrid {
  values: ArrayLike<number>
  dims: readonly [number, number, number]
}

/** The two in-plane axes of a slice along `axis`, in increasing order: u runs along the picture's rows, v up it. */
export function planeAxes(axis: 0 | 1 | 2): [0 | 1 | 2, 0 | 1 | 2] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1]
}

/**
 * Slice `index` along `axis` of a volume, u fastest (see planeAxes). Along axis 2 the slice is a view into the
 * volume's values when they are a typed array; otherwise it is copied into `out` when that has the right length.
 */
export function extractSlice<T extends ArrayLike<number>>(grid: { values: T; dims: readonly [number, number, number] }, axis: 0 | 1 | 2, index: number, out?: Float32Array): ArrayLike<number> {
  const [nx, ny, nz] = grid.dims
  const values = grid.values
  if (!(index >= 0 && index < grid.dims[axis])) throw new Error(`slice ${index} is outside 0…${grid.dims[axis] - 1} along axis ${axis}`)
  if (axis === 2 && ArrayBuffer.isView(values)) {
    const typed = values as unknown as Float32Array
    return typed.subarray(index * nx * ny, (index + 1) * nx * ny)
  }
  const [u, v] = planeAxes(axis)
  const width = grid.dims[u]
  const height = grid.dims[v]
  const slice = out && out.length === width * height ? out : new Float32Array(width * height)
  let p = 0
  if (axis === 0) for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) slice[p++] = values[index + j * nx + k * nx * ny]!
  else if (axis === 1) for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) slice[p++] = values[i + index * nx + k * nx * ny]!
  else for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) slice[p++] = values[i + j * nx + index * nx * ny]!
  return slice
}

/** One mask over the picture: its labels on this slice and how to draw them. */
export interface MaskOverlay {
  labels: ArrayLike<number>
  style: OverlayStyle
  /** The colour of a label value ≥ 1. */
  colour: (value: number) => Rgb
}

/** What composeSlice needs. */
export interface CompositeInput {
  /** Voxels of the slice along u and v. */
  width: number
  height: number
  /** Picture pixels per voxel along each axis (≥ 1): an outline can then be thinner than a voxel. */
  scale: number
  /** Outline width in picture pixels (≥ 1), drawn inside the label along its edge. */
  outline: number
  /** The image's values on this slice (u fastest) and its display window; undefined until the image arrives. */
  image?: { values: ArrayLike<number>; window: readonly [number, number] }
  /** Background where there is no image yet, 0…1. */
  background: Rgb
  /** Drawn in this order, later over earlier. */
  masks: readonly (MaskOverlay | undefined)[]
}

/** The picture's size in pixels. */
export function compositeSize(input: Pick<CompositeInput, 'width' | 'height' | 'scale'>): [number, number] {
  return [input.width * input.scale, input.height * input.scale]
}

/**
 * The slice as RGB bytes, (width × scale) × (height × scale) pixels, rows along u, first row at v = 0. Each
 * voxel covers scale × scale pixels. A filled mask blends its label's colour over every labelled pixel with its
 * opacity; a contour mask only over the pixels within `outline` of an edge to another value (the slice's border
 * is not an edge). Writes into `out` when it has the right length.
 */
export function composeSlice(input: CompositeInput, out?: Uint8Array): Uint8Array {
  const { width, height, scale, image } = input
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`scale must be a whole number ≥ 1, not ${scale}`)
  const outline = Math.max(1, Math.min(scale, Math.round(input.outline)))
  const pw = width * scale
  const ph = height * scale
  const pixels = out && out.length === pw * ph * 3 ? out : new Uint8Array(pw * ph * 3)

  // The image per voxel first (a voxel's pixels share it), then each row of voxels spread over its pixel rows.
  // (Bytes take the integer part, so + 0.5 rounds.)
  const grey = new Float32Array(width * height * 3)
  if (image) {
    const [low, high] = image.window
    const span = Math.max(1e-12, high - low)
    for (let p = 0; p < width * height; p++) {
      const g = Math.max(0, Math.min(1, (image.values[p]! - low) / span)) * 255
      grey[p * 3] = g
      grey[p * 3 + 1] = g
      grey[p * 3 + 2] = g
    }
  } else {
    const [r, g, b] = input.background.map((c) => c * 255) as Rgb
    for (let p = 0; p < width * height; p++) {
      grey[p * 3] = r
      grey[p * 3 + 1] = g
      grey[p * 3 + 2] = b
    }
  }
  const shown = input.masks.filter((m): m is MaskOverlay => m !== undefined && m.style.visible && m.style.opacity > 0)
  // Filled masks up to the first contour are blended per voxel; the rest per pixel, in order, over the outlines.
  const firstContour = shown.findIndex((m) => m.style.mode === 'contour')
  const perVoxel = firstContour < 0 ? shown : shown.slice(0, firstContour)
  for (const mask of perVoxel) blendFilled(grey, mask, width * height)
  for (let y = 0; y < ph; y++) {
    const row = Math.floor(y / scale) * width
    let q = y * pw * 3
    for (let x = 0; x < pw; x++, q += 3) {
      const p = (row + Math.floor(x / scale)) * 3
      pixels[q] = grey[p]! + 0.5
      pixels[q + 1] = grey[p + 1]! + 0.5
      pixels[q + 2] = grey[p + 2]! + 0.5
    }
  }
  for (const mask of firstContour < 0 ? [] : shown.slice(firstContour)) {
    if (mask.style.mode === 'contour') blendOutline(pixels, mask, width, height, scale, outline)
    else blendFilledPixels(pixels, mask, width, scale)
  }
  return pixels
}

/** Blends a filled mask's colours into per-voxel RGB (0…255 floats). */
function blendFilled(rgb: Float32Array, mask: MaskOverlay, count: number): void {
  const a = Math.min(1, mask.style.opacity)
  for (let p = 0; p < count; p++) {
    const value = mask.labels[p]!
    if (value === 0) continue
    const [r, g, b] = mask.colour(value)
    rgb[p * 3] = rgb[p * 3]! * (1 - a) + r * 255 * a
    rgb[p * 3 + 1] = rgb[p * 3 + 1]! * (1 - a) + g * 255 * a
    rgb[p * 3 + 2] = rgb[p * 3 + 2]! * (1 - a) + b * 255 * a
  }
}

/** Blends a filled mask over the picture's pixels (for a filled mask drawn after an outline). */
function blendFilledPixels(pixels: Uint8Array, mask: MaskOverlay, width: number, scale: number): void {
  const a = Math.min(1, mask.style.opacity)
  const pw = width * scale
  const ph = pixels.length / 3 / pw
  for (let y = 0; y < ph; y++) {
    const row = Math.floor(y / scale) * width
    for (let x = 0; x < pw; x++) {
      const value = mask.labels[row + Math.floor(x / scale)]!
      if (value === 0) continue
      blendPixel(pixels, (y * pw + x) * 3, mask.colour(value), a)
    }
  }
}

function blendPixel(pixels: Uint8Array, q: number, [r, g, b]: Rgb, a: number): void {
  pixels[q] = Math.round(pixels[q]! * (1 - a) + r * 255 * a)
  pixels[q + 1] = Math.round(pixels[q + 1]! * (1 - a) + g * 255 * a)
  pixels[q + 2] = Math.round(pixels[q + 2]! * (1 - a) + b * 255 * a)
}

/**
 * Blends a contour mask: a labelled voxel's pixels within `outline` of a side (or corner) it shares with a voxel
 * of another value. Only voxels on an edge are visited.
 */
function blendOutline(pixels: Uint8Array, mask: MaskOverlay, width: number, height: number, scale: number, outline: number): void {
  const a = Math.min(1, mask.style.opacity)
  const pw = width * scale
  const labels = mask.labels
  // Outside the slice counts as the same value: the slice's border is not an edge.
  const at = (i: number, j: number, own: number): number => (i < 0 || j < 0 || i >= width || j >= height ? own : labels[j * width + i]!)
  const far = scale - outline
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const own = labels[j * width + i]!
      if (own === 0) continue
      const left = at(i - 1, j, own) !== own
      const right = at(i + 1, j, own) !== own
      const down = at(i, j - 1, own) !== own
      const up = at(i, j + 1, own) !== own
      const downLeft = at(i - 1, j - 1, own) !== own
      const downRight = at(i + 1, j - 1, own) !== own
      const upLeft = at(i - 1, j + 1, own) !== own
      const upRight = at(i + 1, j + 1, own) !== own
      if (!(left || right || down || up || downLeft || downRight || upLeft || upRight)) continue
      const colour = mask.colour(own)
      for (let b = 0; b < scale; b++) {
        const nearDown = b < outline
        const nearUp = b >= far
        for (let c = 0; c < scale; c++) {
          const nearLeft = c < outline
          const nearRight = c >= far
          const edge =
            (nearLeft && left) ||
            (nearRight && right) ||
            (nearDown && down) ||
            (nearUp && up) ||
            (nearDown && nearLeft && downLeft) ||
            (nearDown && nearRight && downRight) ||
            (nearUp && nearLeft && upLeft) ||
            (nearUp && nearRight && upRight)
          if (edge) blendPixel(pixels, ((j * scale + b) * pw + i * scale + c) * 3, colour, a)
        }
      }
    }
  }
}
