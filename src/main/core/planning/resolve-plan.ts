import type { DatasetDetail, VolumeRecord } from '../../../shared/dataset'
import { InputError } from '../../../shared/errors'
import type { PlanItem, PlanRequest } from '../../../shared/plan'
import type { Volume } from '../../../shared/volume'
import { deriveRng } from '../random/rng'
import { slicesPerVolume } from './budget'
import { sliceFeatureExtractors } from './features'
import { selectAcrossVolumes, selectSlices } from './selectors'
import { selectVolumeSubset } from './subsets'

/** How the resolver reads a volume's image (injected, so tests and workers can cache or fake it). */
export type LoadImage = (volume: VolumeRecord) => Volume

/** The training volumes of a dataset, or an InputError when it has none. */
export function trainingVolumes(dataset: DatasetDetail): VolumeRecord[] {
  const train = dataset.volumeRecords.filter((v) => v.subset === 'train')
  if (train.length === 0) throw new InputError(dataset.name, 'has no training volumes to plan on')
  return train
}

/** Slices along a volume's slice axis. */
export const sliceCountOf = (v: VolumeRecord): number => v.dims[v.sliceAxis]

/**
 * Resolves a plan request into the selected training volumes and their annotated slices. Every random
 * choice comes from generators derived from the request's seed and the volume's case id, so the same
 * request gives the identical plan, and a volume draws the same slices whichever subset it is in.
 */
export async function resolvePlan(request: PlanRequest, dataset: DatasetDetail, loadImage: LoadImage): Promise<PlanItem[]> {
  const train = trainingVolumes(dataset)
  const chosen = new Set(selectVolumeSubset(train.map((v) => v.caseId), request.volumeFraction, request.seed, request.subsetMode))
  const volumes = train.filter((v) => chosen.has(v.caseId))
  const ks = volumes.map((v) => slicesPerVolume(sliceCountOf(v), request.density))
  const item = (v: VolumeRecord, slices: number[]): PlanItem => ({
    volumeId: v.id,
    volume: v.caseId,
    sliceAxis: v.sliceAxis,
    sliceCount: sliceCountOf(v),
    slices,
  })

  if (request.scope === 'dataset') {
    if (request.method !== 'representative') {
      throw new InputError('--scope dataset', 'applies to representative selection only (fixed and random choose within each volume)')
    }
    const images = volumes.map(loadImage)
    const extractor = sliceFeatureExtractors[request.features]
    const features = await extractor.extract(images, { joint: true }, deriveRng(request.seed, 'features', 'dataset'))
    const total = ks.reduce((a, b) => a + b, 0)
    const perVolume = selectAcrossVolumes(features, total, request.rule, deriveRng(request.seed, 'slices', 'dataset'))
    return volumes.map((v, i) => item(v, perVolume[i] ?? []))
  }

  // A learned encoder needs more slices than one volume has: it is fitted once on every training volume
  // (not only the chosen subset, so a volume keeps its features, and so its slices, in any subset).
  const learned =
    request.method === 'representative' && request.features === 'autoencoder'
      ? await sliceFeatureExtractors.autoencoder.extract(train.map(loadImage), { joint: false }, deriveRng(request.seed, 'features', 'training-volumes'))
      : null
  const learnedOf = new Map(train.map((v, i) => [v.caseId, learned?.[i]]))

  const items: PlanItem[] = []
  for (const [i, v] of volumes.entries()) {
    const k = ks[i] as number
    const rng = deriveRng(request.seed, 'slices', v.caseId)
    let features
    if (learned) {
      features = learnedOf.get(v.caseId)
    } else if (request.method === 'representative') {
      const extractor = sliceFeatureExtractors[request.features]
      ;[features] = await extractor.extract([loadImage(v)], { joint: false }, deriveRng(request.seed, 'features', v.caseId))
    }
    const slices = selectSlices(
      request.method,
      { sliceCount: sliceCountOf(v), k, rng, features },
      { rule: request.rule, offset: request.fixedOffset },
    )
    items.push(item(v, slices))
  }
  return items
}
