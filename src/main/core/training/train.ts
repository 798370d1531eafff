/**
 * The training loop: loads a job's volumes, builds the net, draws seeded batches from the annotated slices
 * (2D) or patches (3D), steps the optimiser on the sparse-label loss, checkpoints, and evaluates on the
 * dense test volumes. Runs wherever it is called (a worker thread in the product, the test's own thread in
 * tests); the store is not touched here — the caller records the run.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../shared/errors'
import { largestActivationFloats } from '../../../shared/limits'
import { isModel2d, type CurvePoint, type LossConfig, type TrainProgress, type TrainResult, type ValidationRecord } from '../../../shared/training'
import { CancelledError } from '../execution'
import { deriveRng } from '../random/rng'
import { augmentSlice } from './augment/augment2d'
import { augmentPatch } from './augment/augment3d'
import { selectBackend, throwIfBackendFault } from './backend'
import { loadCheckpointInto, readCheckpoint, saveCheckpoint } from './checkpoint'
import { createPatchSampler, createSliceSampler } from './data'
import { createValidationMonitor } from './early-stopping'
import { evaluateVolumes, netPredictor, type EvaluateOptions } from './evaluate'
import type { TrainJob } from './job'
import { annotatedForeground, loadTrainingVolume } from './load-volumes'
import { computeLoss } from './losses'
import { buildModel } from './models/build-model'
import { createOptimizer } from './optim/optimizers'
import { learningRateAt } from './optim/schedules'
import type { Batch, SegmentationNet, TrainingVolume } from './types'
import { applyInitSource, readInitSource } from './weights/init-from'

export interface TrainHooks {
  /** Progress, at most a few times a second plus phase changes. */
  onProgress?: (progress: TrainProgress) => void
  /** Polled once per step; true stops the run with a CancelledError. */
  isCancelled?: () => boolean
}

const PROGRESS_INTERVAL_MS = 250

/** How this job's net is evaluated (slices or windows, batch, classes). */
function evaluateOptions(job: TrainJob, net: SegmentationNet): EvaluateOptions {
  const { config, numClasses } = job
  return { dims: isModel2d(config.model.kind) ? 2 : 3, numClasses, batchSize: config.batchSize, sizeMultiple: net.sizeMultiple, patchSize: config.patchSize, windowOverlap: config.windowOverlap }
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
 * (a GPU's binding limit): batch × the model's largest activation (shared/limits.ts, per kind).
 */
function checkActivationSize(config: TrainJob['config'], maxTensorBytes: number | null): void {
  if (maxTensorBytes === null) return
  const bytes = config.batchSize * largestActivationFloats(config.model, isModel2d(config.model.kind) ? config.sliceSize : config.patchSize) * 4
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

/**
 * Trains and evaluates one job; throws CancelledError when cancelled, InputError for bad data. With
 * `valEvery` the validation volumes are scored every n steps; with `patience` too, the run ends after that
 * many evaluations without a higher Dice, the checkpoint holds the best-on-validation weights (the last ones
 * go beside it, `.last.ckpt`) and the final evaluation scores the best ones.
 */
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
  // Validation volumes stay in memory: they are scored many times.
  const monitor = config.valEvery > 0 ? createValidationMonitor({ every: config.valEvery, patience: config.patience }) : null
  const validationVolumes = monitor ? job.validate.map((v) => loadTrainingVolume(v, numClasses)) : []
  const earlyStopping = monitor !== null && config.patience > 0
  // Our checkpoint or a PyTorch state dict, read (and refused) before anything is built.
  const initSource = config.initFrom === undefined ? null : readInitSource(config.initFrom)
  const net = buildModel(config.model, { inChannels: 1, numClasses, rng: deriveRng(config.seed, 'init') })
  const optimizer = createOptimizer(config.optimizer, net.weights)
  try {
    const initReport = initSource && config.initFrom ? applyInitSource(net, initSource, config.initFrom) : null
    const batches = batchSource(job, volumes)
    const predict = netPredictor(net)
    const options = evaluateOptions(job, net)
    const loadMs = performance.now() - loadStarted

    const curve: CurvePoint[] = []
    let acc = { loss: 0, fraction: 0, n: 0 }
    const trainStarted = performance.now()
    let lastEmit = 0
    let validationMs = 0
    let stoppedAt: number | null = null
    let stepsTaken = 0
    for (let step = 0; step < config.steps; step++) {
      if (hooks.isCancelled?.()) throw new CancelledError('cancelled')
      const batch = batches.next()
      const lr = learningRateAt(config.schedule, config.optimizer.lr, step, config.steps)
      const loss = await optimizer.minimise(() => batchLoss(net, batch, config.loss, numClasses), lr)
      throwIfBackendFault()
      if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step + 1}; lower the learning rate (--lr)`)
      acc = { loss: acc.loss + loss, fraction: acc.fraction + batch.annotatedFraction, n: acc.n + 1 }
      const done = step + 1
      stepsTaken = done
      if (acc.n === config.logEvery || done === config.steps) {
        curve.push({ step: done, loss: acc.loss / acc.n, lr, annotatedFraction: isModel2d(config.model.kind) ? null : acc.fraction / acc.n })
        acc = { loss: 0, fraction: 0, n: 0 }
      }
      if (config.checkpointEvery > 0 && done % config.checkpointEvery === 0 && done < config.steps) {
        await saveCheckpoint(job.checkpointPath.replace(/\.ckpt$/, `.step${done}.ckpt`), { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: done } })
      }
      if (monitor?.isDue(done, config.steps)) {
        const validationStarted = performance.now()
        const scored = await evaluateVolumes(validationVolumes, 'validation', options, predict)
        throwIfBackendFault()
        const verdict = monitor.observe({ step: done, dice: scored.meanDice, iou: scored.meanIou })
        // The run's checkpoint always holds the best weights so far: a crash later still leaves them.
        if (earlyStopping && verdict.improved) await saveCheckpoint(job.checkpointPath, { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: done, config } })
        validationMs += performance.now() - validationStarted
        if (verdict.stop && done < config.steps) stoppedAt = done
      }
      const now = performance.now()
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || done === config.steps || stoppedAt !== null) {
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
      if (stoppedAt !== null) break
    }
    if (acc.n > 0) curve.push({ step: stepsTaken, loss: acc.loss / acc.n, lr: learningRateAt(config.schedule, config.optimizer.lr, stepsTaken - 1, config.steps), annotatedFraction: isModel2d(config.model.kind) ? null : acc.fraction / acc.n })
    const trainMs = performance.now() - trainStarted - validationMs
    let lastCheckpoint: string | null = null
    if (earlyStopping) {
      lastCheckpoint = job.checkpointPath.replace(/\.ckpt$/, '.last.ckpt')
      await saveCheckpoint(lastCheckpoint, { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: stepsTaken, config } })
      loadCheckpointInto(net, readCheckpoint(job.checkpointPath), job.checkpointPath)
    } else {
      await saveCheckpoint(job.checkpointPath, { net, optimizerSlots: optimizer.slots, meta: { runId: job.runId, step: stepsTaken, config } })
    }
    const evaluation =
      job.evaluateSplit === null
        ? null
        : await evaluateVolumes(job.evaluate, job.evaluateSplit, options, predict, (d, t) => hooks.onProgress?.({ ...base, phase: 'evaluating', step: stepsTaken, done: d, total: t }))
    throwIfBackendFault()
    const best = monitor?.best
    const validation: ValidationRecord | null =
      monitor && best
        ? {
            every: config.valEvery,
            patience: config.patience,
            volumes: validationVolumes.length,
            curve: [...monitor.curve],
            bestStep: best.step,
            bestDice: best.dice,
            stoppedAt,
            evaluatedWeights: earlyStopping ? 'best' : 'last',
            lastCheckpoint,
            ms: validationMs,
          }
        : null
    return {
      backend: backend.name,
      backendReasons: backend.reasons,
      adapter: backend.adapter,
      threads: backend.threads,
      trainVolumes: volumes.length,
      annotatedSlices: volumes.reduce((n, v) => n + v.annotatedSlices.length, 0),
      parameters: parameterCount(net),
      // Steps taken: fewer than config.steps when early stopping ended the run.
      steps: stepsTaken,
      timings: { loadMs, trainMs, msPerStep: trainMs / stepsTaken, evalMs: evaluation?.ms ?? 0 },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      curve,
      checkpoint: job.checkpointPath,
      evaluation,
      ...(validation ? { validation } : {}),
      ...(initReport ? { initFrom: initReport } : {}),
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
