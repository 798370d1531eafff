import { describe, expect, it } from 'vitest'
import * as volume from './index'

describe('core/volume public API', () => {
  it('exports the functions other modules use', () => {
    for (const name of [
      'parseNifti', 'parseNiftiPair', 'readImage', 'readLabel', 'readImageFile', 'readLabelFile', 'readVolumeFile', 'pairPaths', 'isPairName', 'analyzeAffine',
      'encodeNifti', 'writeNiftiFile',
      'sliceAxisFromAffine', 'sliceCount', 'sliceShape', 'extractSlice', 'writeSlice', 'voxelIndex',
      'resampleToSpacing', 'cropOrPadToShape',
      'zScore', 'percentile', 'clipPercentiles', 'normaliseImage', 'findNonFinite',
      'labelVoxelCounts', 'foregroundSliceCount', 'foregroundSliceIndices',
    ]) {
      expect(typeof (volume as Record<string, unknown>)[name], name).toBe('function')
    }
  })
})
