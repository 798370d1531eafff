/** Slice feature extractors for representative selection, behind one interface. */
import type { FeatureExtractor } from '../../../../shared/plan'
import type { Volume } from '../../../../shared/volume'
import type { Rng } from '../../random/rng'
import type { FeatureMatrix } from './feature-matrix'
import type { AutoencoderOptions } from './autoencoder'
import { pcaFeatures } from './pca'

export * from './feature-matrix'
export { fitPca, pcaFeatures, sliceDescriptors, type Pca, type PcaFeatureOptions, type PcaMethod, type PcaOptions } from './pca'
export { symmetricEigen, type SymmetricEigen } from './eigen'
export type { AutoencoderFit, AutoencoderOptions } from './autoencoder'

/** Turns volumes into one feature row per slice (along each volume's slice axis). */
export interface SliceFeatureExtractor {
  name: FeatureExtractor
  /**
   * One matrix per volume, in order. joint: false fits each volume on its own (per-volume selection);
   * joint: true puts all volumes in one feature space with equal columns (the dataset-level variant).
   */
  extract(volumes: Volume[], opts: { joint: boolean }, rng: Rng): Promise<FeatureMatrix[]>
}

/** Downsampled, normalised intensities projected on 16 principal components (see pcaFeatures). */
export const pcaExtractor: SliceFeatureExtractor = {
  name: 'pca',
  async extract(volumes, opts, rng) {
    return pcaFeatures(volumes, { fitOn: opts.joint ? 'all' : 'each' }, rng)
  },
}

/**
 * Codes of a small convolutional autoencoder fitted on the slices' descriptors (see ./autoencoder), with these
 * fitting options (the defaults when omitted). One model is fitted on all the volumes passed, joint or not:
 * learned features need more data than one volume's ~40 slices, and a shared space serves per-volume
 * selection as well; the rows still come back per volume. The TF.js code is imported on first use, so PCA
 * planning never loads TF.js.
 */
export function createAutoencoderExtractor(options: AutoencoderOptions = {}): SliceFeatureExtractor {
  return {
    name: 'autoencoder',
    async extract(volumes, _opts, rng) {
      const { extractAutoencoderFeatures } = await import('./autoencoder')
      return extractAutoencoderFeatures(volumes, rng, options)
    },
  }
}

/** The autoencoder extractor with the default fitting options. */
export const autoencoderExtractor: SliceFeatureExtractor = createAutoencoderExtractor()

/** Every extractor by name. */
export const sliceFeatureExtractors: Readonly<Record<FeatureExtractor, SliceFeatureExtractor>> = {
  pca: pcaExtractor,
  autoencoder: autoencoderExtractor,
}

/** The extractor with this name. */
export function getFeatureExtractor(name: FeatureExtractor): SliceFeatureExtractor {
  return sliceFeatureExtractors[name]
}
