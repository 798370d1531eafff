import { describe, expect, it } from 'vitest'
import { foregroundIoU, overlapFromCounts, qualityByDistance, sliceOverlaps, volumeOverlap } from './metrics'

describe('overlap metrics', () => {
  it('match hand-computed IoU and Dice on a small grid', () => {
    // pred: 1 1 0 0 / 2 2 0 0    ref: 1 0 0 0 / 2 2 2 0
    const pred = [1, 1, 0, 0, 2, 2, 0, 0]
    const ref = [1, 0, 0, 0, 2, 2, 2, 0]
    const r = volumeOverlap(pred, ref)
    // Foreground: intersection 3 (cells 0, 4, 5), |pred| 4, |ref| 4, union 5.
    expect(r.iou).toBeCloseTo(3 / 5)
    expect(r.dice).toBeCloseTo(6 / 8)
    // Label 1: pred {0,1}, ref {0}: IoU 1/2, Dice 2/3. Label 2: pred {4,5}, ref {4,5,6}: IoU 2/3, Dice 4/5.
    expect(r.labels['1']?.iou).toBeCloseTo(1 / 2)
    expect(r.labels['1']?.dice).toBeCloseTo(2 / 3)
    expect(r.labels['2']?.iou).toBeCloseTo(2 / 3)
    expect(r.labels['2']?.dice).toBeCloseTo(4 / 5)
    expect(foregroundIoU(pred, ref)).toBeCloseTo(3 / 5)
  })

  it('count a voxel with the wrong label as foreground overlap but not as label overlap', () => {
    const r = volumeOverlap([1, 0], [2, 0])
    expect(r.iou).toBe(1)
    expect(r.labels['1']?.iou).toBe(0)
    expect(r.labels['2']?.iou).toBe(0)
  })

  it('define both-empty as perfect agreement (IoU = Dice = 1) and one-empty as 0', () => {
    expect(overlapFromCounts(0, 0, 0)).toEqual({ iou: 1, dice: 1 })
    expect(volumeOverlap([0, 0], [0, 0])).toEqual({ iou: 1, dice: 1, labels: {} })
    expect(volumeOverlap([0, 0], [0, 3]).iou).toBe(0)
    expect(foregroundIoU([0], [0])).toBe(1)
  })

  it('report every slice along the axis with its distance to the nearest annotated slice', () => {
    // dims 2×1×3, axis 2: slices are pairs of voxels.
    const pred = new Uint8Array([1, 0, 1, 1, 0, 0])
    const ref = new Uint8Array([1, 0, 1, 0, 0, 0])
    const s = sliceOverlaps([2, 1, 3], 2, pred, ref, [0])
    expect(s.map((x) => [x.index, x.distance, x.iou])).toEqual([
      [0, 0, 1],
      [1, 1, 0.5],
      [2, 2, 1],
    ])
    expect(s[1]?.labels).toEqual({ '1': { iou: 0.5, dice: 2 / 3 } })
    expect(s[2]?.labels).toEqual({})
    // Along axis 0 the slices are the voxels with i = 0 and i = 1.
    const s0 = sliceOverlaps([2, 1, 3], 0, pred, ref, [1])
    expect(s0.map((x) => [x.distance, x.iou])).toEqual([
      [1, 1],
      [0, 0],
    ])
  })

  it('group quality by distance, ascending, with means and counts', () => {
    const rows = qualityByDistance([
      { distance: 2, iou: 0.5, dice: 0.6 },
      { distance: 0, iou: 1, dice: 1 },
      { distance: 2, iou: 0.7, dice: 0.8 },
    ])
    expect(rows).toHaveLength(2)
    expect(rows[0]).toEqual({ distance: 0, slices: 1, meanIoU: 1, meanDice: 1 })
    expect(rows[1]?.slices).toBe(2)
    expect(rows[1]?.meanIoU).toBeCloseTo(0.6)
    expect(rows[1]?.meanDice).toBeCloseTo(0.7)
  })
})
