/**
 * Evaluation of a net on dense volumes: the net in inference mode as a probability callback, and the loop
 * that predicts each volume (by slices for 2D nets, by sliding windows for 3D ones) and scores it against its
 * own dense labels. The final test evaluation and the periodic validation of early stopping both use it.
 */
import * as tf from '@tensorflow/tfjs'
import type { Evaluation, VolumeScore } from '../../../../shared/training'
import type { JobVolume } from '../job'
import { loadTrainingVolume } from '../load-volumes'
import type { SegmentationNet, TrainingVolume } from '../types'
import { predictBySlices } from './predict-slices'
import { predictByWindows } from './predict-windows'
import { scoreVolume, summariseScores } from './scores'

/** Class probabilities [n, …spatial, classes] for images [n, …spatial]. */
export type PredictProbabilities = (images: Float32Array, shape: readonly number[]) => Promise<Float32Array>

/**
 * The net in inference mode: batch norm normalises with its running statistics and leaves them as they are,
 * so a slice's prediction does not depend on which other slices share its batch.
 */
export function netPredictor(net: SegmentationNet): PredictProbabilities {
  return async (images, shape) => {
    const probs = tf.tidy(() => tf.softmax(net.apply(tf.tensor(images, [...shape, 1]), false)))
    const data = (await probs.data()) as Float32Array
    probs.dispose()
    return data
  }
}

export interface EvaluateOptions {
  /** 2D nets predict slice by slice along each volume's slice axis; 3D nets by sliding windows. */
  readonly dims: 2 | 3
  readonly numClasses: number
  readonly batchSize: number
  /** 2D: slices are padded up to multiples of this (2^depth). */
  readonly sizeMultiple: number
  /** 3D: the window size (i, j, k) and the fraction of a window shared with the next. */
  readonly patchSize: readonly [number, number, number]
  readonly windowOverlap: number
}

/** A volume to evaluate on: loaded already (kept in memory across evaluations), or loaded when its turn comes. */
export type EvaluationVolume = JobVolume | TrainingVolume

const isLoaded = (v: EvaluationVolume): v is TrainingVolume => 'image' in v

/**
 * Predicts every volume with `predict` and scores the prediction against the volume's dense labels; a volume
 * not yet loaded is read when its turn comes and dropped after, so one is in memory at a time.
 */
export async function evaluateVolumes(
  volumes: readonly EvaluationVolume[],
  split: Evaluation['split'],
  options: EvaluateOptions,
  predict: PredictProbabilities,
  onVolume: (done: number, total: number) => void = () => {},
): Promise<Evaluation> {
  const started = performance.now()
  const { numClasses, batchSize } = options
  const scores: VolumeScore[] = []
  for (const [i, v] of volumes.entries()) {
    onVolume(i, volumes.length)
    const volume = isLoaded(v) ? v : loadTrainingVolume(v, numClasses)
    const pred =
      options.dims === 2
        ? await predictBySlices(volume, { sizeMultiple: options.sizeMultiple, batchSize, numClasses }, predict)
        : await predictByWindows(volume, { patchSize: options.patchSize, overlap: options.windowOverlap, numClasses, batchSize: Math.max(1, batchSize) }, predict)
    scores.push({ volumeId: v.volumeId, caseId: v.caseId, ...scoreVolume(pred, volume.labels, numClasses) })
  }
  onVolume(volumes.length, volumes.length)
  return summariseScores(scores, split, performance.now() - started)
}
