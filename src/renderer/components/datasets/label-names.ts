// A dataset's label values with their names: from the dataset.json read at import, and "unnamed" for a value
// that has no name there (or when the folder had no dataset.json), so a number is never passed off as a name.
import type { DatasetDetail } from '../../../shared/dataset'

export interface NamedLabel {
  value: number
  name: string
  /** False when no dataset.json named it. */
  named: boolean
}

/** Every foreground label value the dataset declares or its volumes hold, ascending, with its name. */
export function datasetLabels(dataset: Pick<DatasetDetail, 'labels' | 'volumeRecords'>): NamedLabel[] {
  const values = new Set<number>()
  for (const key of Object.keys(dataset.labels)) if (/^\d+$/.test(key)) values.add(Number(key))
  for (const v of dataset.volumeRecords) for (const key of Object.keys(v.labelVoxels)) values.add(Number(key))
  values.delete(0)
  return [...values]
    .sort((a, b) => a - b)
    .map((value) => {
      const name = dataset.labels[String(value)]?.trim()
      return name ? { value, name, named: true } : { value, name: 'unnamed', named: false }
    })
}

/** "1 Anterior, 2 Posterior"; "1 unnamed, 2 unnamed"; "none" for a dataset with no foreground label. */
export function labelLine(labels: readonly NamedLabel[]): string {
  return labels.length === 0 ? 'none' : labels.map((l) => `${l.value} ${l.name}`).join(', ')
}

/** Names by value for the voxel counts, "unnamed" where dataset.json gave none. */
export function labelNameMap(labels: readonly NamedLabel[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [String(l.value), l.named ? l.name : `${l.value} (unnamed)`]))
}
