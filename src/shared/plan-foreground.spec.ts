import { describe, expect, it } from 'vitest'
import type { PlanItem } from './plan'
import { countAnnotatedForeground, foregroundRange, foregroundSentence } from './plan-foreground'

const item = (volumeId: number, slices: number[]): PlanItem => ({ volumeId, volume: `case${volumeId}`, sliceAxis: 2, sliceCount: 10, slices })

describe('countAnnotatedForeground', () => {
  it('counts annotated slices inside and outside each volume\'s human foreground', () => {
    const fg = [
      { volumeId: 1, sliceCount: 10, slices: [3, 4, 5, 6] },
      { volumeId: 2, sliceCount: 10, slices: [] },
    ]
    const counts = countAnnotatedForeground([item(1, [0, 4, 6, 9]), item(2, [5]), item(3, [1, 2])], fg)
    expect(counts).toEqual({ withForeground: 2, withoutForeground: 3, unknownVolumes: 1 })
    expect(foregroundSentence(counts)).toBe('2 annotated slices with foreground, 3 without (empty in the human mask), 1 volume not read')
    expect(foregroundSentence({ withForeground: 1, withoutForeground: 0, unknownVolumes: 0 })).toBe('1 annotated slice with foreground, 0 without (empty in the human mask)')
  })

  it('gives the first and last foreground slice, none for an empty mask', () => {
    expect(foregroundRange({ volumeId: 1, sliceCount: 10, slices: [2, 3, 7] })).toEqual({ first: 2, last: 7 })
    expect(foregroundRange({ volumeId: 1, sliceCount: 10, slices: [] })).toBeUndefined()
  })
})
