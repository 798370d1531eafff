import { InputError } from '../../../../shared/errors'
import type { Evaluation, VolumeScore } from '../../../../shared/training'
import { overlapFromCounts } from '../../interpolation/metrics'

export interface ClassScore {
  label: number
  iou: number
  dice: number
}

/** Overlap of a prediction with the dense truth: foreground (label > 0) and every class 1..numClasses−1. */
export interface Score {
  iou: number
  dice: number
  perClass: ClassScore[]
}

/**
 * IoU and Dice of a predicted label volume against the dense truth, with overlapFromCounts' conventions:
 * both sets empty scores 1. Foreground counts a voxel as agreeing when both say "some foreground",
 * whichever class; per class it must be that class in both.
 */
export function scoreVolume(pred: ArrayLike<number>, truth: ArrayLike<number>, numClasses: number): Score {
  if (pred.length !== truth.length) throw new RangeError(`prediction has ${pred.length} voxels, truth ${truth.length}`)
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`)
  const inter = new Float64Array(numClasses)
  const predicted = new Float64Array(numClasses)
  const actual = new Float64Array(numClasses)
  let fgInter = 0
  for (let v = 0; v < pred.length; v++) {
    const a = pred[v] as number
    const b = truth[v] as number
    if (!(a >= 0 && a < numClasses) || !(b >= 0 && b < numClasses)) {
      throw new RangeError(`voxel ${v}: label ${a} (predicted) / ${b} (truth) is outside 0..${numClasses - 1}`)
    }
    predicted[a] = (predicted[a] as number) + 1
    actual[b] = (actual[b] as number) + 1
    if (a === b) inter[a] = (inter[a] as number) + 1
    if (a > 0 && b > 0) fgInter++
  }
  const voxels = pred.length
  const foreground = overlapFromCounts(fgInter, voxels - (predicted[0] as number), voxels - (actual[0] as number))
  const perClass: ClassScore[] = []
  for (let label = 1; label < numClasses; label++) {
    perClass.push({ label, ...overlapFromCounts(inter[label] as number, predicted[label] as number, actual[label] as number) })
  }
  return { iou: foreground.iou, dice: foreground.dice, perClass }
}

/** Means over volumes of the foreground scores and of each class's scores (over the volumes that report it). */
export function summariseScores(volumes: readonly VolumeScore[], split: Evaluation['split'], ms: number): Evaluation {
  if (volumes.length === 0) throw new InputError(`${split} split`, 'has no volumes to evaluate on')
  const byLabel = new Map<number, { iou: number; dice: number; n: number }>()
  let iou = 0
  let dice = 0
  for (const volume of volumes) {
    iou += volume.iou
    dice += volume.dice
    for (const c of volume.perClass) {
      const sum = byLabel.get(c.label) ?? { iou: 0, dice: 0, n: 0 }
      byLabel.set(c.label, { iou: sum.iou + c.iou, dice: sum.dice + c.dice, n: sum.n + 1 })
    }
  }
  const perClass = [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([label, s]) => ({ label, iou: s.iou / s.n, dice: s.dice / s.n }))
  return { split, volumes: [...volumes], meanIou: iou / volumes.length, meanDice: dice / volumes.length, perClass, ms }
}
