import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BackendProbe, TrainProgress, TrainResult } from '../../shared/training'
import { importDataset } from '../core/datasets/import'
import { CancelledError } from '../core/execution'
import { openDatabase, type Db } from '../core/store/database'
import { getRun } from '../core/store/runs-repo'
import type { TrainRunner } from '../core/training/run-training'
import { sampleDataDir } from '../test-support/shared-data'
import { callOnce, createTrainingDoor, throttleProgress } from './training-door'

const at = (step: number, phase: TrainProgress['phase'] = 'training'): TrainProgress => ({
  runId: 1, phase, step, steps: 10, loss: 1, lr: 1e-3, stepsPerSecond: 1, etaSeconds: 1, annotatedFraction: null,
})

describe('throttleProgress', () => {
  it('passes one event per interval within a phase, every phase change and the last step', () => {
    let clock = 0
    const seen: string[] = []
    const emit = throttleProgress((p) => seen.push(`${p.phase}${p.step}`), 100, () => clock)
    emit(at(0, 'loading'))
    clock = 10
    emit(at(1)) // phase change
    clock = 50
    emit(at(2)) // 40 ms after the last: dropped
    clock = 110
    emit(at(3)) // 100 ms after: passes
    clock = 120
    emit(at(10)) // last step: passes
    clock = 121
    emit(at(10, 'evaluating')) // phase change
    emit(at(10, 'evaluating')) // dropped
    expect(seen).toEqual(['loading0', 'training1', 'training3', 'training10', 'evaluating10'])
  })
})

const fakeResult: TrainResult = {
  backend: 'cpu', backendReasons: [], adapter: null, threads: 1, trainVolumes: 1, annotatedSlices: 1, parameters: 1, steps: 2,
  timings: { loadMs: 0, trainMs: 0, msPerStep: 0, evalMs: 0 }, peakRssMb: 1, curve: [], checkpoint: 'x', evaluation: null,
}

let db: Db
let workspace: string
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'wb-train-door-'))
  db = openDatabase(':memory:')
  importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' })
})
afterEach(() => db.close())

describe('createTrainingDoor', () => {
  it('records a run, announces its id first and returns its result', async () => {
    const events: TrainProgress[] = []
    const runner: TrainRunner = async (job, options) => {
      options.onProgress?.({ ...at(1), runId: job.runId, steps: 2 })
      options.onProgress?.({ ...at(2), runId: job.runId, steps: 2 })
      return fakeResult
    }
    const door = createTrainingDoor({ db, workspace, runner, emit: (p) => events.push(p), minIntervalMs: 0 })
    const out = await door.start({ dataset: 'sample', config: { steps: 2, seed: 4 } })
    expect(out.result).toEqual(fakeResult)
    expect(events.map((e) => [e.runId, e.phase, e.step])).toEqual([[out.runId, 'loading', 0], [out.runId, 'training', 1], [out.runId, 'training', 2]])
    expect(getRun(db, out.runId)).toMatchObject({ status: 'done', kind: 'training', seed: 4 })
    expect(door.active()).toEqual([])
  })

  it('cancels a running run: start rejects in plain words and the store says cancelled', async () => {
    const runner: TrainRunner = (_job, options) =>
      new Promise((_done, fail) => options.signal?.addEventListener('abort', () => fail(new CancelledError('cancelled'))))
    let announced: (runId: number) => void = () => undefined
    const started = new Promise<number>((done) => (announced = done))
    const door = createTrainingDoor({ db, workspace, runner, emit: (p) => announced(p.runId) })
    const run = door.start({ dataset: 'sample', config: { steps: 5 } })
    const runId = await started
    expect(door.active()).toEqual([runId])
    expect(getRun(db, runId)?.status).toBe('running')
    expect(door.cancel(runId)).toEqual({ runId })
    await expect(run).rejects.toMatchObject({ name: 'InputError', source: `run ${runId}`, problem: expect.stringMatching(/cancelled/) })
    expect(getRun(db, runId)?.status).toBe('cancelled')
    expect(() => door.cancel(runId)).toThrow(/not training/)
  })

  it('refuses an unknown dataset and a bad config before recording anything', async () => {
    const door = createTrainingDoor({ db, workspace, runner: async () => fakeResult, emit: () => undefined })
    await expect(door.start({ dataset: 'nope', config: {} })).rejects.toMatchObject({ name: 'InputError', source: 'nope' })
    await expect(door.start({ dataset: 'sample', config: { steps: -1 } })).rejects.toMatchObject({ name: 'InputError', source: 'train option steps' })
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 })
  })
})

const probeResult: BackendProbe = {
  rungs: [
    { name: 'tensorflow', available: false, adapter: null, detail: ['@tensorflow/tfjs-node: not loadable'] },
    { name: 'webgpu', available: false, adapter: null, detail: ['webgpu: vulkan: no adapter'] },
    { name: 'wasm', available: true, adapter: null, detail: ['WebAssembly on the CPU'] },
    { name: 'cpu', available: true, adapter: null, detail: ['plain JavaScript'] },
  ],
  chosen: 'wasm',
}

describe('the training door\'s backend probe (training:backends)', () => {
  it('probes once and answers every later call, concurrent ones included, from memory', async () => {
    let probes = 0
    const probe = async (): Promise<BackendProbe> => {
      probes++
      return probeResult
    }
    const door = createTrainingDoor({ db, workspace, emit: () => undefined, probe })
    const [a, b] = await Promise.all([door.backends(), door.backends()])
    expect(await door.backends()).toBe(a)
    expect(b).toBe(a)
    expect(a).toEqual(probeResult)
    expect(probes).toBe(1)
  })

  it('does not remember a failed probe: the next call asks again', async () => {
    let probes = 0
    const probe = async (): Promise<BackendProbe> => {
      if (++probes === 1) throw new Error('Dawn fell over')
      return probeResult
    }
    const door = createTrainingDoor({ db, workspace, emit: () => undefined, probe })
    await expect(door.backends()).rejects.toThrow('Dawn fell over')
    expect(await door.backends()).toEqual(probeResult)
    expect(await door.backends()).toEqual(probeResult)
    expect(probes).toBe(2)
  })
})

describe('callOnce', () => {
  it('shares one pending call and forgets it only when it fails', async () => {
    let calls = 0
    const f = callOnce(async () => ++calls)
    expect(await Promise.all([f(), f()])).toEqual([1, 1])
    expect(await f()).toBe(1)
    expect(calls).toBe(1)
  })
})
