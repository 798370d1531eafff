// Evaluation as the trainer runs it: known predictions score what hand counting says against the volumes' own
// dense labels (a wrong prediction scores low; an evaluation that compared a prediction with itself would give
// every volume Dice 1), and the net predicts in inference mode (batch norm's running statistics, left as they
// are, so a slice's prediction does not depend on the other slices of its batch).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { syntheticVolume } from '../../../test-support/volumes'
import { createRng } from '../../random/rng'
import { writeNiftiFile } from '../../volume'
import { configureWasm } from '../backends/wasm/setup'
import type { JobVolume } from '../job'
import { buildModel } from '../models/build-model'
import { evaluateVolumes, netPredictor, type EvaluateOptions, type PredictProbabilities } from './evaluate-volumes'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const DIMS = [4, 3, 2] as const
/** Voxel index of (i, j, k) in a 4×3×2 volume. */
const at = (i: number, j: number, k: number): number => i + 4 * (j + 3 * k)

/**
 * A volume whose image is bright (1) exactly where `predicted` lists and dark (0) elsewhere, with its dense
 * label 1 exactly where `truth` lists: the thresholding "net" below predicts `predicted`.
 */
function knownVolume(dir: string, volumeId: number, predicted: number[], truth: number[]): JobVolume {
  const image = new Float32Array(24)
  const label = new Uint8Array(24)
  for (const p of predicted) image[p] = 1
  for (const p of truth) label[p] = 1
  const imagePath = join(dir, `v${volumeId}_image.nii.gz`)
  const labelPath = join(dir, `v${volumeId}_label.nii.gz`)
  writeNiftiFile(imagePath, syntheticVolume([...DIMS], image))
  writeNiftiFile(labelPath, syntheticVolume([...DIMS], label))
  return { volumeId, caseId: `case${volumeId}`, imagePath, labelPath, dims: DIMS, sliceAxis: 2, labels: { kind: 'dense' } }
}

/** Class 1 where the (z-scored) image is above 0, else class 0, as one-hot probabilities; padding is 0, class 0. */
const thresholdNet: PredictProbabilities = async (images) => {
  const out = new Float32Array(images.length * 2)
  images.forEach((v, p) => (out[2 * p + (v > 0 ? 1 : 0)] = 1))
  return out
}

describe('evaluateVolumes with known predictions', () => {
  it('scores each volume against its own dense labels: exact, half overlapping, and wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-eval-known-'))
    const volumes = [
      // Right: prediction = truth → Dice 1, IoU 1.
      knownVolume(dir, 1, [at(1, 1, 0), at(2, 1, 0), at(1, 1, 1), at(2, 1, 1)], [at(1, 1, 0), at(2, 1, 0), at(1, 1, 1), at(2, 1, 1)]),
      // Half: 4 predicted, 4 true, 2 shared → Dice 2·2/(4 + 4) = 0.5, IoU 2/6.
      knownVolume(dir, 2, [at(0, 0, 0), at(1, 0, 0), at(0, 1, 0), at(1, 1, 0)], [at(0, 1, 0), at(1, 1, 0), at(0, 2, 0), at(1, 2, 0)]),
      // Wrong: the prediction misses the structure entirely (disjoint) → Dice 0, IoU 0.
      knownVolume(dir, 3, [at(3, 2, 1), at(3, 1, 1)], [at(0, 0, 0), at(1, 0, 0), at(0, 1, 0)]),
    ]
    for (const dims of [2, 3] as const) {
      const options: EvaluateOptions = { dims, numClasses: 2, batchSize: 2, sizeMultiple: 2, patchSize: [2, 2, 2], windowOverlap: 0.5 }
      const e = await evaluateVolumes(volumes, 'test', options, thresholdNet)
      expect(e.split).toBe('test')
      expect(e.volumes.map((v) => v.caseId)).toEqual(['case1', 'case2', 'case3'])
      const [right, half, wrong] = e.volumes
      expect(right).toMatchObject({ dice: 1, iou: 1 })
      expect(half?.dice).toBeCloseTo(0.5, 12)
      expect(half?.iou).toBeCloseTo(1 / 3, 12)
      expect(wrong).toMatchObject({ dice: 0, iou: 0 })
      expect(e.meanDice).toBeCloseTo(0.5, 12)
      expect(e.meanIou).toBeCloseTo(4 / 9, 12)
    }
  })
})

describe('netPredictor (inference mode)', () => {
  const net = () => buildModel({ kind: 'unet2d', depth: 1, baseChannels: 4, normalisation: 'batch' }, { inChannels: 1, numClasses: 2, rng: createRng(7) })
  const randomImages = (n: number, seed: number): Float32Array => {
    const rng = createRng(seed)
    return Float32Array.from({ length: n * 64 }, () => 2 * rng.next() - 1)
  }
  const stateValues = (n: ReturnType<typeof net>): number[][] => [...n.state.values()].map((v) => Array.from(v.dataSync()))
  /** Running statistics far from the batch's own (means 0.5, variances 2): inference and training then differ. */
  const setRunningStats = (n: ReturnType<typeof net>, mean: number): void => {
    for (const [name, v] of n.state) v.assign(tf.fill(v.shape, name.endsWith('.mean') ? mean : 2))
  }

  it('uses the running statistics, leaves them unchanged, and predicts a slice the same whatever shares its batch', async () => {
    const n = net()
    try {
      expect([...n.state.keys()].some((k) => k.endsWith('.mean'))).toBe(true)
      setRunningStats(n, 0.5)
      const predict = netPredictor(n)
      const [a, b] = [randomImages(1, 1), randomImages(1, 2)]
      const before = stateValues(n)
      const together = await predict(Float32Array.of(...a, ...b), [2, 8, 8])
      const alone = [...(await predict(a, [1, 8, 8])), ...(await predict(b, [1, 8, 8]))]
      expect(stateValues(n)).toEqual(before)
      expect(together.length).toBe(alone.length)
      let largest = 0
      together.forEach((p, i) => (largest = Math.max(largest, Math.abs(p - (alone[i] as number)))))
      expect(largest).toBeLessThan(1e-5)
      // Other running means give other probabilities: the statistics are the running ones, not the batch's.
      setRunningStats(n, -0.5)
      const shifted = await predict(a, [1, 8, 8])
      let moved = 0
      shifted.forEach((p, i) => (moved = Math.max(moved, Math.abs(p - (alone[i] as number)))))
      expect(moved).toBeGreaterThan(1e-3)
    } finally {
      n.dispose()
    }
  })
})
