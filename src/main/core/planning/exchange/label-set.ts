import type { DatasetDetail } from '../../../../shared/dataset'
import type { LabelArray } from '../../volume'

/**
 * The label values a dataset knows: the keys of its labels map plus every value counted in any of its
 * volumes, ascending (0 is always included: the background).
 */
export function datasetLabelValues(dataset: DatasetDetail): number[] {
  const values = new Set<number>([0])
  const add = (key: string): void => {
    const v = Number(key)
    if (Number.isInteger(v) && v >= 0) values.add(v)
  }
  Object.keys(dataset.labels).forEach(add)
  for (const v of dataset.volumeRecords) Object.keys(v.labelVoxels).forEach(add)
  return [...values].sort((a, b) => a - b)
}

/** nnU-Net's ignore value for a dataset: one above its highest label value. */
export function ignoreValueOf(dataset: DatasetDetail): number {
  const values = datasetLabelValues(dataset)
  return (values[values.length - 1] ?? 0) + 1
}

/** A zeroed label array of the narrowest integer type that holds values up to `max`. */
export function labelArrayFor(length: number, max: number): LabelArray {
  return max <= 0xff ? new Uint8Array(length) : max <= 0x7fff ? new Int16Array(length) : new Int32Array(length)
}
