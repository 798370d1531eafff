/**
 * Contracts between the pieces of the training engine (models, losses, optimisers, data, evaluation, the
 * trainer). The user-facing config and result live in src/shared/training.ts; these are the in-process
 * shapes the engine's modules hand each other.
 *
 * Layout: channels last. A 2D batch is [N, H, W, C]; a 3D batch [N, D, H, W, C]. A slice taken from a
 * volume stored i-fastest along slice axis a has its two remaining array axes (p < q) as W = size of p
 * (fastest) and H = size of q, so a slice's Float32Array is already row-major [H][W]. A 3D patch of a
 * volume (i, j, k) is [D = k, H = j, W = i], again the array's own order.
 */
import type * as tf from '@tensorflow/tfjs'
import type { ModelKind } from '../../../shared/training'
import type { Axis } from '../../../shared/volume'

/** A segmentation net as plain functions over named variables (no tf.layers: full control of kernels). */
export interface SegmentationNet {
  readonly kind: ModelKind
  readonly dims: 2 | 3
  readonly inChannels: number
  readonly numClasses: number
  /** Spatial input sizes must be multiples of this (2^depth). */
  readonly sizeMultiple: number
  /** Trainable weights by stable name (the names are the checkpoint's keys). */
  readonly weights: ReadonlyMap<string, tf.Variable>
  /** Non-trainable state (batch-norm running mean/variance) by stable name. */
  readonly state: ReadonlyMap<string, tf.Variable>
  /**
   * Logits [N, (D,) H, W, numClasses] for input [N, (D,) H, W, inChannels]. `training`: batch statistics
   * are used and the running statistics in `state` are updated; otherwise the running statistics are used.
   */
  apply(x: tf.Tensor, training: boolean): tf.Tensor
  /** Frees every variable. */
  dispose(): void
}

/** One training batch as plain arrays; the trainer turns it into tensors. */
export interface Batch {
  /** [N, (D,) H, W] spatial shape plus the batch axis; images add a trailing channel axis of 1. */
  readonly shape: readonly number[]
  readonly images: Float32Array
  /** Class label per voxel. */
  readonly labels: Int32Array
  /** Loss weight per voxel: 1 annotated, 0 unannotated (ignored). */
  readonly weights: Float32Array
  /** Fraction of voxels with weight > 0 (the "does a sparse plan starve the model" figure). */
  readonly annotatedFraction: number
}

/**
 * A volume prepared for training or evaluation: z-scored image, labels, and which voxels carry labels.
 * `annotated` null = every voxel is labelled (dense training, M.I. masks, test volumes).
 */
export interface TrainingVolume {
  readonly volumeId: number
  readonly caseId: string
  /** Array shape (i, j, k). */
  readonly dims: readonly [number, number, number]
  readonly sliceAxis: Axis
  readonly image: Float32Array
  readonly labels: Uint8Array
  /** Per voxel 1 = labelled, 0 = not; null = all labelled. */
  readonly annotated: Uint8Array | null
  /** Slice indices along sliceAxis that are labelled (all slices when dense). */
  readonly annotatedSlices: readonly number[]
}

/** Applies an optimiser step; holds its own slot variables. */
export interface TrainOptimizer {
  /** Updates every variable that has a gradient, with this step's learning rate. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void
  /**
   * One training step: the gradients of `loss` (built inside it, so its tensors are freed) with respect to
   * every weight, then `step`; resolves to the loss's value (read asynchronously, as webgpu needs).
   */
  minimise(loss: () => tf.Scalar, lr: number): Promise<number>
  /** Slot variables by name (for checkpoints). */
  readonly slots: ReadonlyMap<string, tf.Variable>
  /** Steps taken so far. */
  readonly iterations: number
  dispose(): void
}
