import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../../../shared/binary-frame'
import { LayerVoxelsSchema } from '../../../shared/inspect'
import { importDataset } from '../datasets/import'
import { inProcess } from '../execution'
import { createPlan } from '../planning/plans'
import { openDatabase, type Db } from '../store/database'
import { writeSyntheticDataset } from '../../test-support/volumes'
import { readImageFile, readLabelFile } from '../volume'
import { displayWindow, listInspectableRuns, readInspectLayer, toWireVoxels } from './inspect'
import { interpolatePlan } from './plan-run'
import { runVolumeTask } from './volume-task'

let db: Db
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-inspect-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace: join(dir, 'ws') }, { folder: writeSyntheticDataset(join(dir, 'data'), 4), name: 'synth', split: { train: 1, val: 0, test: 0 } })
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

async function makeRun(): Promise<Awaited<ReturnType<typeof interpolatePlan>>> {
  const { plan } = await createPlan(db, { dataset: 'synth', density: 0.3, volumeFraction: 0.5, method: 'fixed' })
  return interpolatePlan({ db, workspace: join(dir, 'ws'), execute: inProcess(runVolumeTask) }, { planId: plan.planId, method: 'nearest' })
}

describe('listInspectableRuns', () => {
  it('lists the done interpolation runs of the dataset, newest first, with their quality', async () => {
    expect(listInspectableRuns(db, 'synth')).toEqual([])
    const a = await makeRun()
    const b = await makeRun()
    const runs = listInspectableRuns(db, 'synth')
    expect(runs.map((r) => r.runId)).toEqual([b.runId, a.runId])
    expect(runs[1]).toMatchObject({ planId: a.planId, method: 'nearest', fusion: null, meanIoU: a.meanIoU, meanDice: a.meanDice, volumes: a.volumes.length })
  })

  it('names an unknown dataset', () => {
    expect(() => listInspectableRuns(db, 'nope')).toThrow(/nope/)
  })
})

describe('readInspectLayer', () => {
  it('returns each layer with the voxels of its file, byte for byte, and the run volume facts', async () => {
    const run = await makeRun()
    const v = run.volumes[0]!
    const human = readInspectLayer(db, { runId: run.runId, volumeId: v.volumeId, layer: 'human' })
    const label = readLabelFile(join(dir, 'data', 'labels', `${v.volume}.nii.gz`))
    expect(human).toMatchObject({ dims: [12, 10, 8], sliceAxis: 2, dtype: 'uint8', range: [0, 2], window: [0, 2] })
    expect(Array.from(human.voxels)).toEqual(Array.from(label.data))

    const interpolated = readInspectLayer(db, { runId: run.runId, volumeId: v.volumeId, layer: 'interpolated' })
    expect(Array.from(interpolated.voxels)).toEqual(Array.from(readLabelFile(v.maskPath).data))

    const image = readInspectLayer(db, { runId: run.runId, volumeId: v.volumeId, layer: 'image' })
    const stored = readImageFile(join(dir, 'data', 'images', `${v.volume}.nii.gz`)).data
    expect(image.dtype).toBe('float32')
    const floats = new Float32Array(image.voxels.buffer, image.voxels.byteOffset, image.voxels.byteLength / 4)
    expect(Array.from(floats)).toEqual(Array.from(stored))
    // The synthetic image is 20 + i + offset outside the ball and 200 + i + offset inside.
    expect(image.range[0]).toBe(Math.min(...floats))
    expect(image.range[1]).toBe(Math.max(...floats))
    expect(LayerVoxelsSchema.safeParse(image).success).toBe(true)
  })

  it('refuses a volume that is not in the run and an unknown run', async () => {
    const run = await makeRun()
    expect(() => readInspectLayer(db, { runId: run.runId, volumeId: 9999, layer: 'image' })).toThrow(/volume 9999.*not part of interpolation run/)
    expect(() => readInspectLayer(db, { runId: 777, volumeId: 1, layer: 'image' })).toThrow(/run 777/)
  })

  it('says what to do when the interpolated mask file is gone', async () => {
    const run = await makeRun()
    const v = run.volumes[0]!
    rmSync(v.maskPath)
    expect(() => readInspectLayer(db, { runId: run.runId, volumeId: v.volumeId, layer: 'interpolated' })).toThrow(/missing; run the interpolation again/)
  })
})

describe('toWireVoxels', () => {
  it('keeps 8/16-bit integer arrays as they are and widens others to float32, with the value range', () => {
    const i16 = Int16Array.from([-5, 300, 7])
    const w = toWireVoxels(i16)
    expect(w.dtype).toBe('int16')
    expect(w.voxels.buffer).toBe(i16.buffer)
    expect(w.range).toEqual([-5, 300])
    const f64 = toWireVoxels(Float64Array.from([1.5, -2.25]))
    expect(f64.dtype).toBe('float32')
    expect(Array.from(new Float32Array(f64.voxels.buffer))).toEqual([1.5, -2.25])
    expect(toWireVoxels(Int32Array.from([70000])).range).toEqual([70000, 70000])
  })
})

describe('displayWindow', () => {
  it('gives the low and high percentiles of a ramp, also when it samples', () => {
    const ramp = Float32Array.from({ length: 10001 }, (_, i) => i)
    // (n-1)·p/100 with n = 10001: percentile 1 → 100, 99 → 9900.
    expect(displayWindow(ramp, 1, 99)).toEqual([100, 9900])
    const [lo, hi] = displayWindow(ramp, 1, 99, 1000)
    expect(lo).toBeGreaterThan(80)
    expect(lo).toBeLessThan(120)
    expect(hi).toBeGreaterThan(9880)
    expect(hi).toBeLessThan(9920)
  })

  it('widens a constant image to a window of width 1', () => {
    expect(displayWindow(new Uint8Array(50).fill(9))).toEqual([9, 10])
  })
})

describe('binary frame', () => {
  it('round-trips the fields and the bytes, with the bytes 8-aligned', () => {
    const voxels = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const { head, voxels: tail } = encodeFrame({ layer: 'human', dims: [3, 3, 1], voxels })
    expect(head.length % 8).toBe(0)
    const joined = new Uint8Array(head.length + tail.length)
    joined.set(head)
    joined.set(tail, head.length)
    const back = decodeFrame(joined.buffer)
    expect(back.layer).toBe('human')
    expect(back.dims).toEqual([3, 3, 1])
    expect(Array.from(back.voxels)).toEqual(Array.from(voxels))
    expect(back.voxels.byteOffset % 8).toBe(0)
  })

  it('refuses what is not a frame', () => {
    expect(() => decodeFrame(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]).buffer)).toThrow(/not a workbench binary frame/)
    const { head } = encodeFrame({ a: 1, voxels: new Uint8Array(0) })
    expect(() => decodeFrame(head.slice(0, 10).buffer)).toThrow(/truncated/)
  })
})
