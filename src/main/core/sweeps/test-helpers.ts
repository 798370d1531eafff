// Helpers for the sweep specs: a fake training runner whose scores follow a known formula, so the runner's
// bookkeeping and the reports can be checked without training (real training of tiny models is tested in cli/cli-sweep.spec.ts).
import type { TrainResult } from '../../../shared/training'
import { CancelledError } from '../execution'
import type { TrainJob } from '../training/job'
import type { TrainRunner } from '../training/run-training'

/** A known score for a job: more annotated slices and more volumes score higher; seeds shift it a little. */
export function fakeScore(job: TrainJob): number {
  const slices = job.train.reduce((a, v) => a + (v.labels.kind === 'dense' ? v.dims[v.sliceAxis] : 'slices' in v.labels ? v.labels.slices.length : 0), 0)
  const interpolated = job.train.some((v) => v.labels.kind === 'interpolated') ? 0.02 : 0
  return Math.min(0.95, 0.3 + 0.4 * Math.sqrt(slices / 400) + 0.01 * job.train.length + 0.003 * job.config.seed + interpolated)
}

/** A TrainResult with the fake score on each evaluation volume. */
export function fakeResult(job: TrainJob, score = fakeScore(job)): TrainResult {
  const volumes = job.evaluate.map((v, i) => {
    const iou = Math.max(0, Math.min(1, score + 0.01 * (i - 1)))
    return { volumeId: v.volumeId, caseId: v.caseId, iou, dice: (2 * iou) / (1 + iou), perClass: [] }
  })
  const meanIou = volumes.reduce((a, v) => a + v.iou, 0) / Math.max(1, volumes.length)
  const meanDice = volumes.reduce((a, v) => a + v.dice, 0) / Math.max(1, volumes.length)
  return {
    backend: 'wasm',
    backendReasons: [],
  adapter: null,
    threads: 1,
    trainVolumes: job.train.length,
    annotatedSlices: 0,
    parameters: 10,
    steps: job.config.steps,
    timings: { loadMs: 1, trainMs: 2, msPerStep: 2 / job.config.steps, evalMs: 1 },
    peakRssMb: 1,
    curve: [],
    checkpoint: job.checkpointPath,
    evaluation: { split: 'test', volumes, meanIou, meanDice, perClass: [], ms: 1 },
  }
}

export interface FakeRunner {
  runner: TrainRunner
  /** Jobs started, in order. */
  started: TrainJob[]
}

/**
 * A fake runner: resolves with the fake result after `delayMs`, reports progress, honours the signal, and
 * fails the jobs `fail` picks.
 */
export function fakeRunner(options: { delayMs?: number; fail?: (job: TrainJob) => boolean } = {}): FakeRunner {
  const started: TrainJob[] = []
  const runner: TrainRunner = (job, o) =>
    new Promise((resolve, reject) => {
      started.push(job)
      o.onProgress?.({ runId: job.runId, phase: 'training', step: 1, steps: job.config.steps, loss: 1, lr: 1e-3, stepsPerSecond: 1, etaSeconds: 1, annotatedFraction: 1 })
      const timer = setTimeout(() => {
        if (options.fail?.(job)) reject(new Error(`fake failure of run ${job.runId}`))
        else resolve(fakeResult(job))
      }, options.delayMs ?? 0)
      o.signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(new CancelledError('cancelled'))
      })
    })
  return { runner, started }
}

/** A small grid on the bundled sample: 2 × 2 cells, 2 methods, 2 seeds, one tiny model. */
export const smallGrid = {
  densities: [0.2, 0.4],
  volumeFractions: [0.5, 1],
  methods: ['fixed', 'random'] as ('fixed' | 'random')[],
  interpolation: ['none'] as 'none'[],
  models: [{ name: 'tiny2d', model: { kind: 'unet2d' as const, depth: 1, baseChannels: 4 } }],
  seeds: [0, 1],
}

/** The train config tiny trials share. */
export const tinyTrain = { steps: 2, batchSize: 2, sliceSize: [64, 64], logEvery: 1 }
