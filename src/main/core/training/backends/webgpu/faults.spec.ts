// GPU faults end a run 'failed' with a reason a user can act on: a device lost mid-run, a batch too large
// for the GPU's buffers (refused before any tensor is made), an out-of-memory error reported
// asynchronously. Own file: losing the device must not disturb the other webgpu specs' device.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleDataDir } from '../../../../test-support/shared-data'
import { importDataset } from '../../../datasets/import'
import { openDatabase, type Db } from '../../../store/database'
import { listRuns } from '../../../store/runs-repo'
import { runDirectory, trainInProcess, trainRun } from '../../run-training'
import { forceWebgpuForSpec } from './parity.spec-helpers'
import { destroyWebgpuDevice, faultError, faultOf } from './setup'

describe('faultOf / faultError', () => {
  it('tells out-of-memory from other GPU errors and words each for the user', () => {
    const oom = faultOf({ message: 'Out of memory while allocating buffer\nwith details' })
    expect(oom).toEqual({ kind: 'out-of-memory', message: 'Out of memory while allocating buffer' })
    expect(faultError(oom).message).toMatch(/^GPU out of memory .*try a smaller --batch or --slice-size \/ --patch$/)
    expect(faultOf({ message: 'Invalid ShaderModule' }).kind).toBe('error')
    expect(faultError({ kind: 'lost', message: 'the GPU device was lost (unknown): reset' }).message).toBe('the GPU device was lost (unknown): reset')
  })
})

let unavailable: string | null = null
let db: Db
let workspace: string
let datasetId: number
beforeAll(async () => {
  unavailable = await forceWebgpuForSpec()
  workspace = mkdtempSync(join(tmpdir(), 'wb-webgpu-faults-'))
  db = openDatabase(':memory:')
  datasetId = importDataset({ db, workspace }, { folder: sampleDataDir, name: 'sample' }).id
})
afterAll(() => db?.close())

const tiny = { model: { kind: 'unet2d', depth: 1, baseChannels: 4 }, batchSize: 2, sliceSize: [32, 32], evaluateOn: 'none', backend: 'webgpu', threads: 1 }

describe('webgpu runs that meet a fault', () => {
  it('a batch that cannot fit the GPU is refused before training, the run failed with what to change, no checkpoint', async (ctx) => {
    if (unavailable) return ctx.skip()
    // A machine with room for it in system memory (1 TB): this checks the GPU's own refusal, which the system
    // memory bound of resolve-job (129 GB for this batch) would otherwise pre-empt on a small machine.
    const roomy = { db, workspace, runner: trainInProcess, memoryBytes: 1e12 }
    const err = await trainRun(roomy, { ...tiny, datasetId, batchSize: 64, sliceSize: [512, 512], model: { kind: 'unet2d', depth: 1, baseChannels: 32 }, steps: 2 }).catch((e: unknown) => e)
    expect(String(err)).toMatch(/GPU out of memory: the largest activation needs \d+ MiB, the GPU's largest buffer is \d+ MiB; try a smaller --batch or --slice-size/)
    const run = listRuns(db)[0]
    expect(run).toMatchObject({ status: 'failed' })
    expect(run?.error).toMatch(/GPU out of memory/)
    const dir = runDirectory(workspace, run?.id as number)
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
  })

  it('a device lost mid-run ends the run failed with the reason; the next run opens a new device', async (ctx) => {
    if (unavailable) return ctx.skip()
    let lostAt = 0
    const err = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, steps: 200 }, {
      onProgress: (p) => {
        if (p.phase === 'training' && lostAt === 0 && p.step >= 2) {
          lostAt = p.step
          destroyWebgpuDevice()
        }
      },
    }).catch((e: unknown) => e)
    expect(lostAt).toBeGreaterThan(0)
    expect(String(err)).toMatch(/GPU device was lost/)
    const run = listRuns(db)[0]
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/GPU device was lost \(destroyed\)/)
    const dir = runDirectory(workspace, run?.id as number)
    expect(existsSync(join(dir, 'model.ckpt'))).toBe(false)

    const next = await trainRun({ db, workspace, runner: trainInProcess }, { ...tiny, datasetId, steps: 2 })
    expect(next.result.backend).toBe('webgpu')
    expect(next.result.curve.every((p) => Number.isFinite(p.loss))).toBe(true)
  })
})
