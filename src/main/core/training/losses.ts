/**
 * Segmentation losses over channels-last logits [N, (D,) H, W, C] with a per-voxel weight that is 0 where a
 * voxel carries no label (sparse annotation): such voxels contribute neither to the loss nor to any gradient.
 *
 * - 'ce': class-weighted cross-entropy with PyTorch's `weight=` semantics: Σ w·cw[y]·(−log p_y) / Σ w·cw[y].
 * - 'dice-ce': soft Dice + CE (each with weight 1, as MONAI's DiceCELoss).
 * - 'dice-focal': soft Dice + focal −cw[y]·(1 − p_y)^γ·log p_y, normalised like CE.
 *
 * Soft Dice is computed over the whole batch (one sum per class over every annotated voxel), includes the
 * background class (MONAI's include_background=True default) and averages over classes; class weights apply to
 * the CE / focal term only. A batch with no annotated voxel has loss 0 and zero gradients, never NaN.
 * Labels outside [0, C) get an all-zero one-hot row and so act as unannotated.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../../../shared/errors'
import type { LossConfig } from '../../../shared/training'

/** Smoothing of the soft Dice numerator and denominator (MONAI's smooth_nr = smooth_dr default). */
export const DICE_SMOOTH = 1e-5

/**
 * Floor for (1 − p_y) inside the focal factor: (1 − p_y)^γ has an infinite derivative at 0 for γ < 1; the floor
 * keeps gradients finite and changes the loss by at most 1e-30^γ.
 */
const FOCAL_FLOOR = 1e-30

/** num / den, or 0 (with zero gradients) where den is 0: a batch with nothing annotated. */
function safeRatio(num: tf.Tensor, den: tf.Tensor): tf.Scalar {
  return tf.div(num, tf.where(tf.greater(den, 0), den, tf.onesLike(den))) as tf.Scalar
}

/** Σ over all voxels of per-voxel·per-class values, as [C]. */
function sumPerClass(values: tf.Tensor, numClasses: number): tf.Tensor1D {
  return tf.sum(tf.reshape(values, [-1, numClasses]), 0)
}

/** Mean over classes of 1 − (2Σ w·p·t + s)/(Σ w·p + Σ w·t + s); see the module comment. */
function softDice(probs: tf.Tensor, target: tf.Tensor, voxelWeights: tf.Tensor, numClasses: number): tf.Scalar {
  const weightedTarget = tf.mul(target, voxelWeights)
  const intersection = sumPerClass(tf.mul(probs, weightedTarget), numClasses)
  const predicted = sumPerClass(tf.mul(probs, voxelWeights), numClasses)
  const reference = sumPerClass(weightedTarget, numClasses)
  const ratio = tf.div(tf.add(tf.mul(intersection, 2), DICE_SMOOTH), tf.add(tf.add(predicted, reference), DICE_SMOOTH))
  return tf.mean(tf.sub(1, ratio))
}

function checkInputs(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor, config: LossConfig, numClasses: number): void {
  const spatial = logits.shape.slice(0, -1)
  if (logits.shape[logits.rank - 1] !== numClasses) {
    throw new Error(`logits have ${String(logits.shape[logits.rank - 1])} channels, expected ${numClasses} classes`)
  }
  const same = (s: readonly number[]): boolean => s.length === spatial.length && s.every((d, i) => d === spatial[i])
  if (!same(labels.shape) || !same(weights.shape)) {
    throw new Error(`labels ${JSON.stringify(labels.shape)} and weights ${JSON.stringify(weights.shape)} must be the logits' shape without the class axis ${JSON.stringify(spatial)}`)
  }
  if (labels.dtype !== 'int32') throw new Error(`labels must be int32, got ${labels.dtype}`)
  if (config.classWeights && config.classWeights.length !== numClasses) {
    throw new InputError('loss.classWeights', `has ${config.classWeights.length} weights for ${numClasses} classes`)
  }
}

/**
 * The training loss (a scalar) for logits [N, (D,) H, W, C], int32 labels and float32 weights of the logits'
 * shape without the class axis. See the module comment for the kinds.
 */
export function computeLoss(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor, config: LossConfig, numClasses: number): tf.Scalar {
  checkInputs(logits, labels, weights, config, numClasses)
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1)
    const target = tf.oneHot(labels, numClasses)
    const voxelWeights = tf.expandDims(weights, -1)
    // w·cw[y] spread over the one-hot row: summing it over classes gives the voxel's CE weight.
    const weightedTarget = config.classWeights
      ? tf.mul(tf.mul(target, voxelWeights), tf.tensor1d(config.classWeights))
      : tf.mul(target, voxelWeights)
    const normaliser = tf.sum(weightedTarget)

    if (config.kind === 'ce') return safeRatio(tf.neg(tf.sum(tf.mul(weightedTarget, logProbs))), normaliser)

    const probs = tf.exp(logProbs)
    const dice = softDice(probs, target, voxelWeights, numClasses)
    if (config.kind === 'dice-ce') {
      return tf.add(dice, safeRatio(tf.neg(tf.sum(tf.mul(weightedTarget, logProbs))), normaliser)) as tf.Scalar
    }

    // Focal: −(1 − p_y)^γ·log p_y per voxel. 1 − p_y is summed from the other classes' probabilities, which
    // stays accurate where p_y rounds to 1 (1 − p_y there would be 0 and lose the gradient).
    const gamma = config.focalGamma
    const logPTrue = tf.sum(tf.mul(target, logProbs), -1)
    const voxelCeWeight = tf.sum(weightedTarget, -1)
    let perVoxel = tf.neg(logPTrue)
    if (gamma !== 0) {
      const pOthers = tf.sum(tf.mul(tf.sub(1, target), probs), -1)
      perVoxel = tf.mul(tf.pow(tf.maximum(pOthers, FOCAL_FLOOR), gamma), perVoxel)
    }
    const focal = safeRatio(tf.sum(tf.mul(voxelCeWeight, perVoxel)), normaliser)
    return tf.add(dice, focal) as tf.Scalar
  })
}
