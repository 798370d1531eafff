import { describe, expect, it } from 'vitest'
import { scoreVolume, summariseScores } from './scores'

describe('scoreVolume', () => {
  it('scores foreground and each class on a hand-counted grid', () => {
    const pred = [0, 1, 1, 2, 2, 0, 1, 2]
    const truth = [0, 1, 2, 2, 0, 1, 1, 0]
    // Foreground: |pred > 0| = 6 (1,2,3,4,6,7), |truth > 0| = 5 (1,2,3,5,6), both = 4 (1,2,3,6): IoU 4/7, Dice 8/11.
    // Class 1: pred {1,2,6}, truth {1,5,6}, both {1,6}: IoU 2/4, Dice 4/6.
    // Class 2: pred {3,4,7}, truth {2,3}, both {3}: IoU 1/4, Dice 2/5.
    const s = scoreVolume(pred, truth, 3)
    expect(s.iou).toBeCloseTo(4 / 7, 12)
    expect(s.dice).toBeCloseTo(8 / 11, 12)
    expect(s.perClass).toEqual([
      { label: 1, iou: 0.5, dice: 4 / 6 },
      { label: 2, iou: 0.25, dice: 0.4 },
    ])
  })

  it('follows overlapFromCounts for empty sets: both empty = 1, one empty = 0', () => {
    const empty = new Uint8Array(6)
    expect(scoreVolume(empty, empty, 3)).toEqual({ iou: 1, dice: 1, perClass: [{ label: 1, iou: 1, dice: 1 }, { label: 2, iou: 1, dice: 1 }] })
    const one = Uint8Array.of(0, 1, 1, 0, 0, 0)
    expect(scoreVolume(empty, one, 3)).toEqual({ iou: 0, dice: 0, perClass: [{ label: 1, iou: 0, dice: 0 }, { label: 2, iou: 1, dice: 1 }] })
    // A 2-class problem has no per-class entries beyond label 1.
    expect(scoreVolume(one, one, 2).perClass).toEqual([{ label: 1, iou: 1, dice: 1 }])
  })

  it('rejects mismatched lengths and labels outside the classes', () => {
    expect(() => scoreVolume([0, 1], [0], 2)).toThrow(RangeError)
    expect(() => scoreVolume([0, 3], [0, 1], 3)).toThrow(RangeError)
  })
})

describe('summariseScores', () => {
  it('averages foreground and per-class scores over volumes', () => {
    const volumes = [
      { volumeId: 1, caseId: 'a', iou: 0.5, dice: 2 / 3, perClass: [{ label: 1, iou: 0.5, dice: 2 / 3 }, { label: 2, iou: 1, dice: 1 }] },
      { volumeId: 2, caseId: 'b', iou: 0.25, dice: 0.4, perClass: [{ label: 1, iou: 0, dice: 0 }, { label: 2, iou: 0.5, dice: 2 / 3 }] },
    ]
    const e = summariseScores(volumes, 'test', 12)
    expect(e.split).toBe('test')
    expect(e.ms).toBe(12)
    expect(e.volumes).toEqual(volumes)
    expect(e.meanIou).toBeCloseTo(0.375, 12)
    expect(e.meanDice).toBeCloseTo((2 / 3 + 0.4) / 2, 12)
    expect(e.perClass[0]).toEqual({ label: 1, iou: 0.25, dice: 1 / 3 })
    expect(e.perClass[1]!.label).toBe(2)
    expect(e.perClass[1]!.iou).toBeCloseTo(0.75, 12)
    expect(e.perClass[1]!.dice).toBeCloseTo(5 / 6, 12)
  })

  it('refuses to summarise nothing', () => {
    expect(() => summariseScores([], 'validation', 0)).toThrow(expect.objectContaining({ name: 'InputError' }))
  })
})
