/** Mask interpolation between annotated slices: propagation (Algorithm 1), shape-based (sdf), nearest slice; quality metrics. */
export { interpolateMask, distanceToNearest } from './interpolate'
export { propagateDefaults, containsObject } from './propagate'
export {
  volumeOverlap,
  sliceOverlaps,
  foregroundIoU,
  overlapFromCounts,
  qualityByDistance,
  type Overlap,
  type OverlapReport,
  type SliceQuality,
  type DistanceRow,
} from './metrics'
export * from './types'
