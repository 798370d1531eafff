/** Slice feature extractors for representative selection, behind one interface. */
import type { FeatureExtractor } from '../../../../shared/plan'
import type { Volume } from '../../../../shared/volume'
import type { Rng } from '../../random/rng'
import type { FeatureMatrix } from './feature-matrix'
import { pcaFeatures } from './pca'

export * from './feature-matrix'
export { fitPca, pcaFeatures, sliceDescriptors, type Pca, type PcaFeatureOptions, type PcaMethod, type PcaOptions } from './pca'
export { symmetricEigen, type SymmetricEigen } from './eigen'

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

/** Placeholder for learned features: the interface is ready, the encoder needs the training engine. */
export const autoencoderExtractor: SliceFeatureExtractor = {
  name: 'autoencoder',
  async extract() {
    throw new Error(
      "the 'autoencoder' feature extractor needs the training engine, which is not available yet (a later issue); use features 'pca' for representative selection",
    )
  },
}

/** Every extractor by name. */
export const sliceFeatureExtractors: Readonly<Record<FeatureExtractor, SliceFeatureExtractor>> = {
  pca: pcaExtractor,
  autoencoder: autoencoderExtractor,
}

/** The extractor with this name. */
export function getFeatureExtractor(name: FeatureExtractor): SliceFeatureExtractor {
  return sliceFeatureExtractors[name]
}
