// How a plan's annotated slices fall against where each volume's object is: the strips draw the human
// foreground band, and the summary counts the annotated slices that hold foreground and those that do not
// (slices a fixed or representative selection spent on a volume's empty ends).
import type { VolumeForeground } from './api'
import type { PlanItem } from './plan'

/** Annotated slices of a plan with and without human foreground; `unknown` counts volumes with no record. */
export interface ForegroundCounts {
  withForeground: number
  withoutForeground: number
  unknownVolumes: number
}

/** Counts a plan's annotated slices by whether the volume's human mask has foreground there. */
export function countAnnotatedForeground(items: readonly PlanItem[], foreground: readonly VolumeForeground[]): ForegroundCounts {
  const byVolume = new Map(foreground.map((f) => [f.volumeId, new Set(f.slices)]))
  const counts: ForegroundCounts = { withForeground: 0, withoutForeground: 0, unknownVolumes: 0 }
  for (const item of items) {
    const slices = byVolume.get(item.volumeId)
    if (!slices) {
      counts.unknownVolumes++
      continue
    }
    for (const s of item.slices) {
      if (slices.has(s)) counts.withForeground++
      else counts.withoutForeground++
    }
  }
  return counts
}

/** The summary sentence: "12 annotated slices show the object, 3 are empty (no human foreground)". */
export function foregroundSentence(counts: ForegroundCounts): string {
  const slices = (n: number): string => `${n} annotated slice${n === 1 ? '' : 's'}`
  const parts = [`${slices(counts.withForeground)} with foreground`, `${counts.withoutForeground} without (empty in the human mask)`]
  if (counts.unknownVolumes > 0) parts.push(`${counts.unknownVolumes} volume${counts.unknownVolumes === 1 ? '' : 's'} not read`)
  return parts.join(', ')
}

/** First and last foreground slice of a volume, or undefined when its mask is empty. */
export function foregroundRange(f: VolumeForeground): { first: number; last: number } | undefined {
  if (f.slices.length === 0) return undefined
  return { first: f.slices[0] as number, last: f.slices[f.slices.length - 1] as number }
}
