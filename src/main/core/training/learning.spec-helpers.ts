// A fixed tiny segmentation task written as NIfTI files, for specs that run the product's own training loop:
// each slice holds one bright disc (label 1) of random centre and radius on noise, so a tiny U-Net that learns
// at all segments held-back volumes well within a few dozen steps, and one that does not, cannot.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { TrainConfigSchema, type TrainConfigInput } from '../../../shared/training'
import { syntheticVolume } from '../../test-support/volumes'
import { createRng, type Rng } from '../random/rng'
import { writeNiftiFile } from '../volume'
import type { JobVolume, LabelSource, TrainJob } from './job'

/** In-plane size of the discs task's slices (i × j); slices lie along k. */
export const DISC_SLICE = 24
const SLICES = 8

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
}

/** Writes one volume of the discs task under `dir` and returns it as a job volume. */
export function writeDiscVolume(dir: string, volumeId: number, labels: LabelSource = { kind: 'dense' }): JobVolume {
  const rng = createRng(1000 + volumeId)
  const n = DISC_SLICE * DISC_SLICE * SLICES
  const image = new Float32Array(n)
  const label = new Uint8Array(n)
  for (let k = 0; k < SLICES; k++) {
    const [cx, cy, r] = [7 + 10 * rng.next(), 7 + 10 * rng.next(), 3 + 3 * rng.next()]
    for (let j = 0; j < DISC_SLICE; j++)
      for (let i = 0; i < DISC_SLICE; i++) {
        const p = i + DISC_SLICE * (j + DISC_SLICE * k)
        const inside = Math.hypot(i - cx, j - cy) <= r
        label[p] = inside ? 1 : 0
        image[p] = (inside ? 1 : 0) + 0.35 * gaussian(rng)
      }
  }
  mkdirSync(dir, { recursive: true })
  const caseId = `disc_${volumeId}`
  const imagePath = join(dir, `${caseId}_image.nii.gz`)
  const labelPath = join(dir, `${caseId}_label.nii.gz`)
  const dims = [DISC_SLICE, DISC_SLICE, SLICES] as const
  writeNiftiFile(imagePath, syntheticVolume([...dims], image))
  writeNiftiFile(labelPath, syntheticVolume([...dims], label))
  return { volumeId, caseId, imagePath, labelPath, dims, sliceAxis: 2, labels }
}

/**
 * A job on the discs task: three training volumes annotated on every other slice (a sparse plan), two
 * held-back test volumes and two validation volumes (dense), a depth-1 U-Net with 4 base channels on wasm.
 */
export function discsJob(dir: string, overrides: Partial<TrainConfigInput> = {}, runId = 1): TrainJob {
  const sparse: LabelSource = { kind: 'slices', slices: [0, 2, 4, 6] }
  const config = TrainConfigSchema.parse({
    datasetId: 1,
    model: { kind: 'unet2d', depth: 1, baseChannels: 4, normalisation: 'batch' },
    steps: 40,
    batchSize: 4,
    sliceSize: [DISC_SLICE, DISC_SLICE],
    optimizer: { kind: 'adam', lr: 3e-2 },
    loss: { kind: 'ce' },
    seed: 1,
    logEvery: 5,
    backend: 'wasm',
    threads: 1,
    ...overrides,
  })
  return {
    runId,
    config,
    numClasses: 2,
    train: [1, 2, 3].map((id) => writeDiscVolume(dir, id, sparse)),
    evaluate: config.evaluateOn === 'none' ? [] : [11, 12].map((id) => writeDiscVolume(dir, id)),
    evaluateSplit: config.evaluateOn === 'none' ? null : config.evaluateOn,
    validate: config.valEvery > 0 ? [21, 22].map((id) => writeDiscVolume(dir, id)) : [],
    checkpointPath: join(dir, `run${runId}`, 'model.ckpt'),
  }
}
