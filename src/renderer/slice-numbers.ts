// One convention for slice numbers on screen: people count from 1 ("slice 18 of 35", as the facts panel counts
// "35 slices"), while plans, files and exports index from 0. The index is shown on hover where it matters.

/** The number a person reads for a 0-based slice index. */
export function sliceNumber(index: number): number {
  return index + 1
}

/** "Slice 18 of 35". */
export function sliceOfCount(index: number, count: number): string {
  return `Slice ${sliceNumber(index)} of ${count}`
}

/** The hover note giving the stored index: "index 17 (from 0, as in plans and exports)". */
export function sliceIndexNote(index: number): string {
  return `index ${index} (from 0, as in plans and exports)`
}
