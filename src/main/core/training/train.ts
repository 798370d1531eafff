/**
 * The training loop: loads a job's volumes, builds the net, draws seeded batches from the annotated slices
 * (2D) or patches (3D), steps the optimiser on the sparse-label loss, checkpoints, and evaluates on the
 * dense test volumes. Runs wherever it is called (a worker thread in the product, the test's own thread in
 * tests); the store is not touched here — the caller records the run.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../shared/errors'
import { isModel2d, type CurvePoint, type LossConfig, type Evaluation, type TrainProgress, type TrainResult, type VolumeScore } from '../../../shared/training'
import { CancelledError } from '../execution'
import { deriveRng } from '../random/rng'
import { augmentSlice } from './augment/augment2d'
import { augmentPatch } from './augment/augment3d'
import { selectBackend, throwIfBackendFault } from './backend'
import { loadCheckpointInto, readCheckpoint, saveCheckpoint } from './checkpoint'
import { createPatchSampler, createSliceSampler } from './data'
import { predictBySlices, predictByWindows, scoreVolume, summariseScores } from './evaluate'
import type { TrainJob } from './job'
import { annotatedForeground, loadTrainingVolume } from './load-volumes'
import { computeLoss } from './losses'
import { buildModel } from './models/build-model'
import { createOptimizer } from './optim/optimizers'
import { learningRateAt } from './optim/schedules'
import type { Batch, SegmentationNet, TrainingVolume } from './types'

export interface TrainHooks {
  /** Progress, at most a few times a second plus phase changes. */
  onProgress?: (progress: TrainProgress) => void
  /** Polled once per step; true stops the run with a CancelledError. */
  isCancelled?: () => boolean
}

const PROGRESS_INTERVAL_MS = 250

/** A probability map [n, …spatial, classes] from the net in inference mode. */
function predictor(net: SegmentationNet): (images: Float32Array, shape: readonly number[]) => Promise<Float32Array> {
  return async (images, shape) => {
    const probs = tf.tidy(() => tf.softmax(net.apply(tf.tensor(images, [...shape, 1]), false)))
    const data = (await probs.data()) as Float32Array
    probs.dispose()
    return data
  }
}

/** Evaluates a net on dense volumes, one volume in memory at a time. */
async function evaluate(net: SegmentationNet, job: TrainJob, emit: (done: number, total: number) => void): Promise<Evaluation | null> {
  if (job.evaluateSplit === null) return null
  const started = performance.now()
  const { config, numClasses } = job
  const predict = predictor(net)
  const scores: VolumeScore[] = []
  for (const [i, v] of job.evaluate.entries()) {
    emit(i, job.evaluate.length)
    const volume = loadTrainingVolume(v, numClasses)
    const pred = isModel2d(config.model.kind)
      ? await predictBySlices(volume, { sizeMultiple: net.sizeMultiple, batchSize: config.batchSize, numClasses }, predict)
      : await predictByWindows(volume, { patchSize: config.patchSize, overlap: config.windowOverlap, numClasses, batchSize: Math.max(1, config.batchSize) }, predict)
    scores.push({ volumeId: v.volumeId, caseId: v.caseId, ...scoreVolume(pred, volume.labels, numClasses) })
  }
  emit(job.evaluate.length, job.evaluate.length)
  return summariseScores(scores, job.evaluateSplit, performance.now() - started)
}

/** The batch source for the model's dimensionality, with seeded augmentation. */
function batchSource(job: TrainJob, volumes: readonly TrainingVolume[]): { next(): Batch } {
  const { config, numClasses } = job
  const batchRng = deriveRng(config.seed, 'batches')
  const augmentRng = deriveRng(config.seed, 'augment')
  if (isModel2d(config.model.kind)) {
    return createSliceSampler(volumes, {
      sliceSize: config.sliceSize,
      batchSize: config.batchSize,
      rng: batchRng,
      augment: (s) => augmentSlice(s, config.augment, augmentRng),
    })
  }
  return createPatchSampler(volumes, {
    patchSize: config.patchSize,
    batchSize: config.batchSize,
    numClasses,
    sampling: config.patchSampling,
    rng: batchRng,
    augment: (s) => augmentPatch(s, config.augment, augmentRng),
  })
}

/** The sparse-label loss of the net (in training mode) on one batch: unannotated voxels weigh 0. */
export function batchLoss(net: SegmentationNet, batch: Batch, loss: LossConfig, numClasses: number): tf.Scalar {
  const x = tf.tensor(batch.images, [...batch.shape, 1])
  const y = tf.tensor(batch.labels, [...batch.shape], 'int32')
  const w = tf.tensor(batch.weights, [...batch.shape], 'float32')
  return computeLoss(net.apply(x, true), y, w, loss, numClasses)
}

/**
 * Refuses, before any tensor is made, a batch whose largest activation cannot fit one buffer of the backend
 * (a GPU's binding limit): the first level's decoder concatenation, batch × voxels × 2·base channels.
 */
function checkActivationSize(config: TrainJob['config'], maxTensorBytes: number | null): void {
  if (maxTensorBytes === null) return
  const voxels = (isModel2d(config.model.kind) ? config.sliceSize : config.patchSize).reduce((a, b) => a * b, 1)
  const bytes = config.batchSize * voxels * 2 * config.model.baseChannels * 4
  if (bytes <= maxTensorBytes) return
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`
  throw new Error(`GPU out of memory: the largest activation needs ${mib(bytes)}, the GPU's largest buffer is ${mib(maxTensorBytes)}; try a smaller --batch or ${isModel2d(config.model.kind) ? '--slice-size' : '--patch'}`)
}

/** Number of scalars in the net's trainable weights. */
function parameterCount(net: SegmentationNet): number {
  let n = 0
  for (const w of net.weights.values()) n += w.size
  return n
}

/** Trains and evaluates one job; throws CancelledError when cancelled, InputError for bad data. */
export async function trainJob(job: TrainJob, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { config, numClasses } = job
  const base = { runId: job.runId, steps: config.steps, loss: null, lr: null, stepsPerSecond: null, etaSeconds: null, annotatedFraction: null }
  hooks.onProgress?.({ ...base, phase: 'loading', step: 0 })
  const loadStarted = performance.now()
  const backend = await selectBackend({ ...(config.backend ? { force: config.backend } : {}), threads: config.threads })
  checkActivationSize(config, backend.maxTensorBytes)
  const volumes = job.train.map((v) => loadTrainingVolume(v, numClasses))
  if (volumes.every((v) => annotatedForeground(v) === 0)) {
    throw new InputError(config.planId === null ? 'training volumes' : `plan ${config.planId}`, 'no annotated voxel has a foreground label: there is nothing to learn from')
  }
  const checkpoint = config.initFrom === undefined ? null : readCheckpoint(config.initFrom)
  const net = buildModel(config.model, { inChannels: 1, numClasses, rng: deriveRng(config.seed, 'init') })
  const optimizer = createOptimizer(config.optimizer, net.weights)
  try {
    if (checkpoint && config.initFrom) loadCheckpointInto(net, checkpoint, config.initFrom)
    const batches = batchSource(job, volumes)
    const loadMs = performance.now() - loadStarted

    const curve: CurvePoint[] = []
    let acc = { loss: 0, fraction: 0, n: 0 }
    const trainStarted = performance.now()
    let lastEmit = 0
    for (let step = 0; step < config.steps; step++) {
      if (hooks.isCancelled?.()) throw new CancelledError('cancelled')
      const batch = batches.next()
      const lr = learningRateAt(config.schedule, config.optimizer.lr, step, config.steps)
      const loss = await optimizer.minimise(() => batchLoss(net, batch, config.loss, numClasses), lr)
      throwIfBackendFault()
      if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step + 1}; lower the learning rate (--lr)`)
      acc = { loss: acc.loss + loss, fraction: acc.fraction + batch.annotatedFraction, n: acc.n + 1 }
      const done = step + 1
      if (acc.n === config.logEvery || done === config.steps) {
        curve.push({ step: done, loss: acc.loss / acc.n, lr, annotatedFraction: isModel2d(config.model.kind) ? null : acc.fraction / acc.n })
        acc = { loss: 0, fraction: 0, n: 0 }
      }
      if (config.checkpointEvery > 0 && done % config.checkpointEvery === 0 && done < config.steps) {
        await saveCheckpoint(job.checkpointPath.replace(/\.ckpt$/, `.step${done}.ckpt`), { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: done } })
      }
      const now = performance.now()
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || done === config.steps) {
        lastEmit = now
        const sps = done / ((now - trainStarted) / 1000)
        hooks.onProgress?.({
          ...base,
          phase: 'training',
          step: done,
          loss,
          lr,
          stepsPerSecond: sps,
          etaSeconds: (config.steps - done) / sps,
          annotatedFraction: batch.annotatedFraction,
        })
      }
    }
    const trainMs = performance.now() - trainStarted
    await saveCheckpoint(job.checkpointPath, { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: config.steps, config } })
    const evaluation = await evaluate(net, job, (d, t) => hooks.onProgress?.({ ...base, phase: 'evaluating', step: config.steps, done: d, total: t }))
    throwIfBackendFault()
    return {
      backend: backend.name,
      backendReasons: backend.reasons,
      adapter: backend.adapter,
      threads: backend.threads,
      trainVolumes: volumes.length,
      annotatedSlices: volumes.reduce((n, v) => n + v.annotatedSlices.length, 0),
      parameters: parameterCount(net),
      steps: config.steps,
      timings: { loadMs, trainMs, msPerStep: trainMs / config.steps, evalMs: evaluation?.ms ?? 0 },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      curve,
      checkpoint: job.checkpointPath,
      evaluation,
    }
  } catch (e) {
    // A lost GPU or an out-of-memory buffer surfaces as whatever op failed next; the fault says what happened.
    throwIfBackendFault()
    throw e
  } finally {
    optimizer.dispose()
    net.dispose()
  }
}
