import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { featureExtractors } from '../../../../shared/plan'
import { sampleDataDir } from '../../../test-support/shared-data'
import { createRng } from '../../random/rng'
import { readImageFile } from '../../volume'
import { autoencoderExtractor, createAutoencoderExtractor, getFeatureExtractor, pcaExtractor, pcaFeatures, sliceFeatureExtractors } from '.'

describe('slice feature extractors', () => {
  const volumes = ['hippocampus_001', 'hippocampus_003'].map((id) => readImageFile(join(sampleDataDir, 'images', `${id}.nii.gz`)))

  it('has one extractor per FeatureExtractor name', () => {
    for (const name of featureExtractors) expect(getFeatureExtractor(name).name).toBe(name)
    expect(Object.keys(sliceFeatureExtractors).sort()).toEqual([...featureExtractors].sort())
  })

  it('pca: per-volume spaces when not joint, one 16-column space when joint, same as pcaFeatures', async () => {
    const each = await pcaExtractor.extract(volumes, { joint: false }, createRng(0))
    expect(each).toEqual(pcaFeatures(volumes, { fitOn: 'each' }, createRng(0)))
    const joint = await pcaExtractor.extract(volumes, { joint: true }, createRng(0))
    expect(joint.map((m) => m.rows)).toEqual(volumes.map((v) => v.header.dims[v.header.sliceAxis]))
    expect(joint.every((m) => m.cols === 16)).toBe(true)
  })

  it('autoencoder: one shared 32-column space for joint and per-volume, rows per volume, seeded', async () => {
    expect(autoencoderExtractor.name).toBe('autoencoder')
    // Few steps: fitting quality is autoencoder.spec's business; the default fit runs in plans.spec.
    const extractor = createAutoencoderExtractor({ steps: 5, batchSize: 8 })
    const joint = await extractor.extract(volumes, { joint: true }, createRng(0))
    expect(joint.map((m) => m.rows)).toEqual(volumes.map((v) => v.header.dims[v.header.sliceAxis]))
    expect(joint.every((m) => m.cols === 32 && m.data.every(Number.isFinite))).toBe(true)
    // Per-volume requests are fitted on all the volumes passed too (see autoencoderExtractor).
    expect(await extractor.extract(volumes, { joint: false }, createRng(0))).toEqual(joint)
  })
})
