import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../../test-support/shared-data'
import { createRng } from '../../random/rng'
import { configureWasm } from '../../training/backends/wasm/setup'
import { readImageFile } from '../../volume'
import { AUTOENCODER_INPUT_SIZE, autoencoderFeatures, fitAutoencoder } from './autoencoder'
import { squaredDistance, stackRows, type FeatureMatrix } from './feature-matrix'
import { sliceDescriptors } from './pca'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const SIDE = AUTOENCODER_INPUT_SIZE

/**
 * Two families of synthetic 32×32 slices with per-slice variation and noise: family 0 a bright disc of random
 * radius and centre, family 1 horizontal stripes of random period and phase. Rows alternate families.
 */
function twoFamilies(perFamily: number, seed: number): { m: FeatureMatrix; family: number[] } {
  const rng = createRng(seed)
  const rows = 2 * perFamily
  const data = new Float32Array(rows * SIDE * SIDE)
  const family: number[] = []
  for (let r = 0; r < rows; r++) {
    const f = r % 2
    family.push(f)
    const radius = 6 + 6 * rng.next()
    const cx = 13 + 6 * rng.next()
    const cy = 13 + 6 * rng.next()
    const period = 6 + 4 * rng.next()
    const phase = 2 * Math.PI * rng.next()
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const clean = f === 0 ? ((x - cx) ** 2 + (y - cy) ** 2 < radius ** 2 ? 1.5 : -0.5) : Math.sin((2 * Math.PI * y) / period + phase)
        data[r * SIDE * SIDE + y * SIDE + x] = clean + 0.2 * (rng.next() - 0.5)
      }
    }
  }
  return { m: { rows, cols: SIDE * SIDE, data }, family }
}

/** Mean Euclidean distance between code rows of the same family and of different families. */
function withinAndBetween(codes: FeatureMatrix, family: readonly number[]): { within: number; between: number } {
  let within = 0
  let between = 0
  let nw = 0
  let nb = 0
  for (let i = 0; i < codes.rows; i++) {
    for (let j = i + 1; j < codes.rows; j++) {
      const d = Math.sqrt(squaredDistance(codes, i, j))
      if (family[i] === family[j]) {
        within += d
        nw++
      } else {
        between += d
        nb++
      }
    }
  }
  return { within: within / nw, between: between / nb }
}

/** Mean squared difference of every value from its column's mean (float64): the MSE of the mean row. */
function varianceAroundMeanRow(m: FeatureMatrix): number {
  const colMean = new Float64Array(m.cols)
  for (let i = 0; i < m.data.length; i++) colMean[i % m.cols]! += (m.data[i] as number) / m.rows
  let s = 0
  for (let i = 0; i < m.data.length; i++) s += ((m.data[i] as number) - (colMean[i % m.cols] as number)) ** 2
  return s / m.data.length
}

const mean = (xs: Float32Array): number => xs.reduce((a, b) => a + b, 0) / xs.length

describe('fitAutoencoder', () => {
  it('lowers the loss clearly, codes every slice, groups similar slices, and frees every tensor', async () => {
    const { m, family } = twoFamilies(16, 1)
    const before = tf.memory().numTensors
    const started = performance.now()
    const { codes, losses } = await fitAutoencoder(m, { steps: 150, batchSize: 16 }, createRng(7))
    const ms = performance.now() - started
    expect(tf.memory().numTensors).toBe(before)
    expect(losses).toHaveLength(150)
    expect([codes.rows, codes.cols, codes.data.length]).toEqual([32, 32, 32 * 32])
    expect(codes.data.every(Number.isFinite)).toBe(true)
    // The best constant output (the mean slice) has an MSE of the pixels' variance around it: a net that learned
    // only the mean would stay there; one that encodes the slices goes clearly below.
    const first = mean(losses.subarray(0, 5))
    const last = mean(losses.subarray(-10))
    const meanSliceMse = varianceAroundMeanRow(m)
    expect(last).toBeLessThan(0.5 * first)
    expect(last).toBeLessThan(0.6 * meanSliceMse)
    // Discs and stripes: codes of one family lie closer together than codes of different families. The
    // untrained encoder (1 step) gives a ratio of 0.73 here, the fitted one 0.57: the bound needs the fitting.
    const { within, between } = withinAndBetween(codes, family)
    expect(within).toBeLessThan(0.65 * between)
    console.info(`fitAutoencoder 32 slices, 150 steps of 16: ${ms.toFixed(0)} ms; loss ${first.toFixed(3)} → ${last.toFixed(3)} (mean-slice MSE ${meanSliceMse.toFixed(3)}); code distance within ${within.toFixed(2)}, between ${between.toFixed(2)}`)
  })

  it('gives identical codes for the same seed and different ones for another seed', async () => {
    const { m } = twoFamilies(8, 4)
    const a = await fitAutoencoder(m, { steps: 20, batchSize: 8 }, createRng(5))
    const b = await fitAutoencoder(m, { steps: 20, batchSize: 8 }, createRng(5))
    const c = await fitAutoencoder(m, { steps: 20, batchSize: 8 }, createRng(6))
    expect(b.codes.data).toEqual(a.codes.data)
    expect(b.losses).toEqual(a.losses)
    expect(c.codes.data).not.toEqual(a.codes.data)
  })

  it('honours codeSize and refuses descriptors of another size or bad options', async () => {
    const { m } = twoFamilies(2, 5)
    expect((await fitAutoencoder(m, { steps: 2, codeSize: 5 }, createRng(0))).codes.cols).toBe(5)
    await expect(fitAutoencoder({ rows: 1, cols: 16 * 16, data: new Float32Array(256) }, {}, createRng(0))).rejects.toThrow(/32×32/)
    await expect(fitAutoencoder(m, { steps: 0 }, createRng(0))).rejects.toThrow(/steps/)
    await expect(fitAutoencoder(m, { learningRate: -1 }, createRng(0))).rejects.toThrow(/learning rate/)
    await expect(fitAutoencoder({ rows: 0, cols: 1024, data: new Float32Array(0) }, {}, createRng(0))).rejects.toThrow(/at least one slice/)
  })
})

describe('autoencoderFeatures', () => {
  it('returns one codeSize-column matrix per volume, rows = its slices, from one shared model', async () => {
    const volumes = ['hippocampus_001', 'hippocampus_003'].map((id) => readImageFile(join(sampleDataDir, 'images', `${id}.nii.gz`)))
    const before = tf.memory().numTensors
    const started = performance.now()
    const features = await autoencoderFeatures(volumes, { steps: 5, batchSize: 8 }, createRng(0))
    const ms = performance.now() - started
    expect(tf.memory().numTensors).toBe(before)
    expect(features.map((f) => f.rows)).toEqual(volumes.map((v) => v.header.dims[v.header.sliceAxis]))
    expect(features.every((f) => f.cols === 32 && f.data.length === f.rows * 32 && f.data.every(Number.isFinite))).toBe(true)
    // One model for all: the rows of volume 1 are the codes of its descriptors' rows after volume 0's.
    const fit = await fitAutoencoder(stackRows(volumes.map((v) => sliceDescriptors(v, SIDE))).matrix, { steps: 5, batchSize: 8 }, createRng(0))
    expect(features[1]?.data).toEqual(fit.codes.data.slice(features[0]!.rows * 32))
    expect(await autoencoderFeatures([], {}, createRng(0))).toEqual([])
    console.info(`autoencoderFeatures 2 sample volumes, 5 steps: ${ms.toFixed(0)} ms`)
  })
})
