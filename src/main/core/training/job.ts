/**
 * A training job: everything a training worker needs, as plain data (it crosses a thread boundary). The
 * main thread resolves it from the store (resolve-job.ts); the worker loads the volumes and trains
 * (train.ts), so no voxel data is copied between threads and no database is opened in the worker.
 */
import type { TrainConfig } from '../../../shared/training'
import type { Axis } from '../../../shared/volume'

/** Where a training volume's labels come from. */
export type LabelSource =
  /** Every voxel of the dense label file (dense training, and every evaluation volume). */
  | { kind: 'dense' }
  /** The dense label file, but only these slices count as annotated (a generated plan). */
  | { kind: 'slices'; slices: readonly number[] }
  /** An annotators' sparse mask file; only these slices count as annotated (an imported plan). */
  | { kind: 'sparse-mask'; maskPath: string; slices: readonly number[] }
  /** A dense interpolated mask of a plan (M.I. mode): every voxel counts as labelled. */
  | { kind: 'interpolated'; maskPath: string; slices: readonly number[] }

/** One volume of a job. */
export interface JobVolume {
  readonly volumeId: number
  readonly caseId: string
  readonly imagePath: string
  readonly labelPath: string
  readonly dims: readonly [number, number, number]
  readonly sliceAxis: Axis
  readonly labels: LabelSource
}

export interface TrainJob {
  readonly runId: number
  /** The resolved config (defaults filled in). */
  readonly config: TrainConfig
  /** Classes the net predicts (label values 0…numClasses−1). */
  readonly numClasses: number
  readonly train: readonly JobVolume[]
  /** Dense volumes to evaluate on at the end (empty when evaluateOn is 'none'). */
  readonly evaluate: readonly JobVolume[]
  readonly evaluateSplit: 'test' | 'validation' | null
  /** Dense validation volumes evaluated every `config.valEvery` steps (empty when valEvery is 0). */
  readonly validate: readonly JobVolume[]
  /** Where the final checkpoint is written (intermediate ones beside it). */
  readonly checkpointPath: string
}
