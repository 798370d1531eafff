// What one bar of the per-slice IoU chart stands for. The interpolation records a slice as "empty" when its
// interpolated mask is empty; whether that is right depends on the human mask: both empty (IoU 1 by convention)
// or the object missed (IoU 0). The chart names the two apart, so "empty" never means two things.
import type { SliceQuality } from '../shared/interpolation'

export const sliceClasses = ['annotated', 'interpolated', 'both-empty', 'missed'] as const
export type SliceClass = (typeof sliceClasses)[number]

/** The legend's words for each class. */
export const sliceClassNames: Record<SliceClass, string> = {
  annotated: 'annotated',
  interpolated: 'interpolated',
  'both-empty': 'both empty',
  missed: 'object missed',
}

/** The class of one slice record. */
export function sliceClass(s: SliceQuality): SliceClass {
  switch (s.source) {
    case 'annotated':
      return 'annotated'
    case 'interpolated':
      return 'interpolated'
    case 'empty':
      // The interpolated mask is empty here: IoU is 1 only when the human mask is empty too.
      if (s.foreground !== undefined) return s.foreground ? 'missed' : 'both-empty'
      return s.iou === 1 ? 'both-empty' : 'missed'
    default: {
      const never: never = s.source
      throw new Error(`unknown slice source ${String(never)}`)
    }
  }
}

/** Whether the human mask has foreground on a slice; undefined where an older record cannot tell. */
export function humanForeground(s: SliceQuality): boolean | undefined {
  if (s.foreground !== undefined) return s.foreground
  if (s.source === 'empty') return s.iou !== 1
  // A nonempty prediction overlapping the human mask proves foreground; no overlap proves nothing.
  if (s.source === 'interpolated' && s.iou > 0) return true
  return undefined
}

/** The human mask's foreground along the slice axis: first and last slice index and how many slices hold any. */
export type ForegroundExtent = { kind: 'known'; first: number; last: number; slices: number } | { kind: 'none' } | { kind: 'unknown' }

/** The foreground extent of the human mask over a volume's slice records. */
export function foregroundExtent(slices: readonly SliceQuality[]): ForegroundExtent {
  const flags = slices.map(humanForeground)
  if (flags.some((f) => f === undefined)) return { kind: 'unknown' }
  const hits = slices.filter((_, i) => flags[i]).map((s) => s.index)
  if (hits.length === 0) return { kind: 'none' }
  return { kind: 'known', first: Math.min(...hits), last: Math.max(...hits), slices: hits.length }
}
