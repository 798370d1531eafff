/** Training data: 2D slice batches and 3D patch batches drawn from sparsely annotated volumes. */
export { createSliceSampler, type SliceSampler, type SliceSamplerOptions } from './slice-sampler'
export { createPatchSampler, patchStart, type PatchSampler, type PatchSamplerOptions } from './patch-sampler'
export { createCentreSampler, type CentreSampler, type CentreCategory, type PatchCentre } from './patch-centres'
export type { SliceSample, PatchSample } from './samples'
