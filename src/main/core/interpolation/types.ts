import type { Volume, VoxelArray } from '../../../shared/volume'

// The method and fusion names are contracts shared with the UI and the CLI: defined once, in src/shared.
export { interpolationMethods, type Fusion, type InterpolationMethod } from '../../../shared/interpolation'
import type { Fusion, InterpolationMethod } from '../../../shared/interpolation'

/** Tuning of the propagation; every field has a default (see propagate.ts). */
export interface PropagateOptions {
  /** 'first': the paper's first-come rule; 'weighted' (default): blend both fronts by inverse distance. */
  fusion?: Fusion
  /** The propagated mask "contains the object" only with at least this many pixels (default 4). */
  minPixels?: number
  /** …and at least this fraction of the source annotated mask's area (default 0.1). */
  minAreaRatio?: number
  /** …and a mean normalised intensity within this many source standard deviations of the source's (default 1.5). */
  maxIntensityShift?: number
  /** Demons iterations per pyramid level of the slice-to-slice registration (default 6). */
  flowIterations?: number
  /** Smoothing of the displacement field each iteration as a Gaussian σ in pixels, done as round(2σ²) ≥ 1 [1 2 1] passes (default 0.75). */
  flowSmoothing?: number
  /** How strongly intensity re-shapes the warped mask each step, 0 = pure warping (default 0.5). */
  intensityWeight?: number
  /** 'weighted' fusion weighs the front from each side by 1/distance^fusionPower (default 2; 1 = linear blend). */
  fusionPower?: number
  /** Flow is estimated at most at this many pixels across (coarser for large slices, then upsampled; default 96). */
  maxFlowSize?: number
}

/** Options of interpolateMask; only propagate reads any today. */
export type InterpolationOptions = PropagateOptions

/** What interpolateMask needs: the image, the sparse labels and which slices along the slice axis carry them. */
export interface InterpolationInput {
  /** The intensities; its header's dims and sliceAxis define the slices. */
  image: Volume
  /** Label values, same length as image.data; only the annotated slices are read. Float arrays must be integral. */
  sparse: VoxelArray
  /** Slice indices along image.header.sliceAxis that a person annotated (distinct, any order). */
  annotated: readonly number[]
  method: InterpolationMethod
  options?: InterpolationOptions
}

/** Where a slice's mask came from: a person, the method, or nowhere (the method left it 0). */
export type SliceSource = 'annotated' | 'interpolated' | 'empty'

/** One slice of the result. */
export interface SliceRecord {
  index: number
  source: SliceSource
  /** |index − nearest annotated index|, 0 for annotated slices. */
  distance: number
}

/** A dense label volume (same layout as the input) and one record per slice, in slice order. */
export interface InterpolationResult {
  dense: Uint8Array
  slices: SliceRecord[]
}

/** Progress callback: `done` of `total` slices finished. */
export type ProgressFn = (done: number, total: number) => void

/**
 * The validated input as the methods see it: slices of w×h pixels (u fastest), n of them along the slice axis,
 * the annotated indices ascending, and the label values present in them.
 */
export interface SliceStack {
  w: number
  h: number
  n: number
  annotated: readonly number[]
  labels: readonly number[]
  /** The label slice of annotated slice `index` (values 0..255). */
  mask(index: number): Uint8Array
  /** Slice `index` of the image, robustly normalised (clip 0.5–99.5 %, z-score); cached. */
  image(index: number): Float32Array
  /** Throws when the caller aborted. */
  checkAbort(): void
  /** Reports `done` more slices finished. */
  tick(done?: number): void
}

/** A method's answer: a label slice per slice index, or undefined where it assigns 0. */
export type SliceMasks = (Uint8Array | undefined)[]
