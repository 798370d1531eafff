/**
 * Writes what the PyTorch twin of a training run needs to train the same protocol on the same data: every
 * training, validation and test volume of the run's split as the product loads it (percentile-clipped z-score
 * images, labels, the annotated slices a plan chose), laid out slice by slice, plus the protocol (slice size,
 * batch, steps, loss, optimiser). The twin (pytorch/quality_twin.py) reads it with numpy alone; it shares no
 * code with the product, so its Dice is an independent reference for ours.
 *
 * Layout: DIR/manifest.json, and for volume n DIR/n.image.f32 ([slices][rows][cols] float32 little-endian) and
 * DIR/n.labels.u8 (same layout); rows are the slower in-plane axis, as the product's slice sampler lays them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TrainConfig } from '../../shared/training'
import type { Db } from '../core/store/database'
import { getDatasetById } from '../core/store/datasets-repo'
import { loadTrainingVolume } from '../core/training/load-volumes'
import type { JobVolume } from '../core/training/job'
import { jobVolume, resolveTrainJob } from '../core/training/resolve-job'
import { extractSlice, inPlaneAxes, sliceCount } from '../core/volume/slice-axis'

export interface BundleVolume {
  readonly file: string
  readonly caseId: string
  readonly split: 'train' | 'val' | 'test'
  readonly slices: number
  readonly rows: number
  readonly cols: number
  /** Slices that carry labels for training (every slice for val/test and dense training). */
  readonly annotatedSlices: readonly number[]
}

export interface BundleManifest {
  readonly format: 'workbench-quality-bundle/1'
  readonly numClasses: number
  readonly config: TrainConfig
  readonly volumes: readonly BundleVolume[]
}

function writeVolume(dir: string, file: string, volume: JobVolume, numClasses: number, split: BundleVolume['split']): BundleVolume {
  const loaded = loadTrainingVolume(volume, numClasses)
  const [p, q] = inPlaneAxes(loaded.sliceAxis)
  const slices = sliceCount(loaded.dims, loaded.sliceAxis)
  const [cols, rows] = [loaded.dims[p], loaded.dims[q]]
  const image = new Float32Array(slices * rows * cols)
  const labels = new Uint8Array(slices * rows * cols)
  for (let s = 0; s < slices; s++) {
    // extractSlice lays a slice out p-fastest (columns), q rows: the sampler's layout.
    image.set(extractSlice(loaded.dims, loaded.image, loaded.sliceAxis, s), s * rows * cols)
    labels.set(extractSlice(loaded.dims, loaded.labels, loaded.sliceAxis, s), s * rows * cols)
  }
  writeFileSync(join(dir, `${file}.image.f32`), Buffer.from(image.buffer, image.byteOffset, image.byteLength))
  writeFileSync(join(dir, `${file}.labels.u8`), labels)
  return { file, caseId: loaded.caseId, split, slices, rows, cols, annotatedSlices: loaded.annotatedSlices }
}

/** Resolves the run's job from the store (as a training run would) and writes its bundle into `dir`. */
export async function writeQualityBundle(db: Db, trainConfig: unknown, dir: string): Promise<BundleManifest> {
  const job = await resolveTrainJob({ db }, trainConfig)
  const dataset = getDatasetById(db, job.config.datasetId)
  if (!dataset) throw new Error(`dataset ${job.config.datasetId} is gone`)
  mkdirSync(dir, { recursive: true })
  const dense = (subset: 'val' | 'test'): JobVolume[] => dataset.volumeRecords.filter((v) => v.subset === subset).map((v) => jobVolume(v, { kind: 'dense' }))
  let n = 0
  const volumes = [
    ...job.train.map((v) => writeVolume(dir, String(n++), v, job.numClasses, 'train')),
    ...dense('val').map((v) => writeVolume(dir, String(n++), v, job.numClasses, 'val')),
    ...dense('test').map((v) => writeVolume(dir, String(n++), v, job.numClasses, 'test')),
  ]
  const manifest: BundleManifest = { format: 'workbench-quality-bundle/1', numClasses: job.numClasses, config: job.config, volumes }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  return manifest
}
