import { describe, expect, it } from 'vitest'
import type { SliceQuality } from '../shared/interpolation'
import { foregroundExtent, humanForeground, sliceClass } from './slice-classes'

const slice = (index: number, source: SliceQuality['source'], iou: number, foreground?: boolean): SliceQuality => ({
  index,
  source,
  distance: source === 'annotated' ? 0 : 1,
  iou,
  dice: iou,
  ...(foreground === undefined ? {} : { foreground }),
})

describe('sliceClass', () => {
  it('tells an empty prediction on an empty human slice (both empty) from one that missed the object', () => {
    expect(sliceClass(slice(0, 'empty', 1, false))).toBe('both-empty')
    expect(sliceClass(slice(0, 'empty', 0, true))).toBe('missed')
    expect(sliceClass(slice(0, 'annotated', 1, true))).toBe('annotated')
    expect(sliceClass(slice(0, 'interpolated', 0.4, true))).toBe('interpolated')
  })

  it('reads older records without the foreground flag from their IoU (1 only when both masks are empty)', () => {
    expect(sliceClass(slice(3, 'empty', 1))).toBe('both-empty')
    expect(sliceClass(slice(3, 'empty', 0))).toBe('missed')
  })
})

describe('foregroundExtent', () => {
  it('spans the first to the last slice where the human mask has foreground', () => {
    const slices = [
      slice(0, 'empty', 1, false),
      slice(1, 'annotated', 1, true),
      slice(2, 'empty', 0, true),
      slice(3, 'interpolated', 0.5, true),
      slice(4, 'empty', 1, false),
    ]
    expect(foregroundExtent(slices)).toEqual({ kind: 'known', first: 1, last: 3, slices: 3 })
    expect(foregroundExtent(slices.map((s) => ({ ...s, foreground: false })))).toEqual({ kind: 'none' })
  })

  it('is unknown for an older record whose annotated slices do not say', () => {
    const old = [slice(0, 'empty', 1), slice(1, 'annotated', 1), slice(2, 'interpolated', 0.3)]
    expect(humanForeground(old[1]!)).toBeUndefined()
    expect(humanForeground(old[2]!)).toBe(true)
    expect(foregroundExtent(old)).toEqual({ kind: 'unknown' })
  })
})
