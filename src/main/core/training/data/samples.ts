/**
 * The sample shapes handed to augmentation hooks: one slice or one patch, its labels and its loss weights,
 * each a row-major array of the stated size (2D: [height][width]; 3D: [depth][height][width]).
 */
export interface SliceSample {
  image: Float32Array
  labels: Int32Array
  weights: Float32Array
  height: number
  width: number
}

export interface PatchSample {
  image: Float32Array
  labels: Int32Array
  weights: Float32Array
  depth: number
  height: number
  width: number
}

/** Checks that an augmentation returned a sample of the size the batch needs (augmentation must not resize). */
export function checkSampleSize(sample: { image: Float32Array; labels: Int32Array; weights: Float32Array }, voxels: number, what: string): void {
  if (sample.image.length !== voxels || sample.labels.length !== voxels || sample.weights.length !== voxels) {
    throw new RangeError(
      `augmentation returned a ${what} of ${sample.image.length}/${sample.labels.length}/${sample.weights.length} image/label/weight voxels, expected ${voxels}`,
    )
  }
}

/** Mean of the values (0 for none): a batch's annotated fraction is the mean of its loss weights. */
export function mean(values: Float32Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i] as number
  return values.length === 0 ? 0 : sum / values.length
}
