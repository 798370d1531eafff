/** Index of the largest of `count` values starting at `offset` (ties go to the lowest index). */
export function argmaxAt(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0
  let bestValue = values[offset] as number
  for (let c = 1; c < count; c++) {
    const v = values[offset + c] as number
    if (v > bestValue) {
      bestValue = v
      best = c
    }
  }
  return best
}

/** Throws unless the class count fits a Uint8 label volume. */
export function checkClassCount(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) throw new RangeError(`numClasses must be an integer in 1..256, got ${numClasses}`)
}

/** Throws unless the prediction callback returned one value per voxel and class. */
export function checkPredictionLength(probs: Float32Array, expected: number, shape: readonly number[], numClasses: number): void {
  if (probs.length !== expected) {
    throw new RangeError(`predict returned ${probs.length} values for input [${shape.join(', ')}] with ${numClasses} classes, expected ${expected}`)
  }
}
