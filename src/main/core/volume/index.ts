/** Volume I/O and voxel-level helpers: NIfTI read/write, slices, resampling, normalisation, label statistics. */
export { parseNifti, parseNiftiPair, readImage, readLabel, readImageFile, readLabelFile, readVolumeFile, type ReadOptions } from './nifti-read'
export { isPairName, pairPaths, type PairPaths } from './nifti-pair'
export { heldDtype } from './nifti-format'
export { encodeNifti, writeNiftiFile, type EncodeOptions } from './nifti-write'
export { volumeFromData, type VolumeFromDataOptions } from './volume-from-data'
export { isGzip } from './gunzip'
export { type LabelArray } from './label-values'
export {
  sliceAxisFromAffine,
  sliceCount,
  sliceShape,
  inPlaneAxes,
  extractSlice,
  writeSlice,
  voxelIndex,
  type Dims,
} from './slice-axis'
export { resampleToSpacing, cropOrPadToShape, type ResampleMode } from './resample'
export {
  zScore,
  meanStd,
  percentile,
  percentiles,
  clipPercentiles,
  normaliseImage,
  findNonFinite,
  type NormaliseMethod,
  type NormaliseOptions,
  type Values,
} from './normalise'
export { labelVoxelCounts, foregroundSliceCount, foregroundSliceIndices } from './label-stats'
export { diagonalAffine, analyzeAffine, det3, affineToQuatern, quaternToAffine, type Quatern } from './nifti-affine'
