import { InputError } from '../../../../shared/errors'
import type { TrainingVolume } from '../types'

/** Throws unless a positive integer. */
export function checkPositiveInt(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`)
}

/** Checks the arrays of a training volume against its dims (a mismatch is a bug in loading, not user input). */
export function checkVolume(volume: TrainingVolume): void {
  const { dims, caseId } = volume
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`${caseId}: dims ${dims.join('×')} are not positive integers`)
  const voxels = dims[0] * dims[1] * dims[2]
  if (volume.image.length !== voxels) throw new RangeError(`${caseId}: image has ${volume.image.length} voxels, dims need ${voxels}`)
  if (volume.labels.length !== voxels) throw new RangeError(`${caseId}: labels have ${volume.labels.length} voxels, dims need ${voxels}`)
  if (volume.annotated && volume.annotated.length !== voxels) throw new RangeError(`${caseId}: annotated mask has ${volume.annotated.length} voxels, dims need ${voxels}`)
}

/** Throws unless there is at least one volume to draw from. */
export function checkNotEmpty(volumes: readonly TrainingVolume[]): void {
  if (volumes.length === 0) throw new InputError('training volumes', 'there are no training volumes to draw batches from')
}
