import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../shared/run'
import type { GpuAdapter, TrainResult } from '../../../shared/training'
import { backendLabel, compareConfigs, compareMetrics, filterRows, flatten, historyRow, rowsToCsv, rowsToJson } from './history-table'

const result: TrainResult = {
  backend: 'wasm', backendReasons: [], adapter: null, threads: 2, trainVolumes: 3, annotatedSlices: 12, parameters: 1234, steps: 5,
  timings: { loadMs: 10, trainMs: 2500, msPerStep: 500, evalMs: 30 }, peakRssMb: 321.4,
  curve: [{ step: 5, loss: 0.25, lr: 1e-3, annotatedFraction: null }], checkpoint: '/ws/runs/1/model.ckpt',
  evaluation: { split: 'test', volumes: [], meanIou: 0.5, meanDice: 0.6667, perClass: [{ label: 1, iou: 0.4, dice: 0.571 }], ms: 30 },
}

function run(over: Partial<RunRecord>): RunRecord {
  return {
    id: 1, kind: 'training', status: 'done', datasetId: 1, seed: 0,
    config: { dataset: 'sample', planId: null, model: { kind: 'unet2d', depth: 1, baseChannels: 4 }, steps: 5 },
    result: result as unknown as Record<string, unknown>, error: null,
    createdAt: '2025-01-02T03:04:05.000Z', startedAt: null, finishedAt: null, pid: null, host: null, ...over,
  }
}

describe('history rows', () => {
  const rows = [
    historyRow(run({})),
    historyRow(run({ id: 2, status: 'cancelled', result: null, config: { dataset: 'sample', model: { kind: 'unet3d' }, steps: 50 } })),
    historyRow(run({ id: 3, kind: 'interpolation', datasetId: 4, config: { planId: 2, method: 'sdf' }, result: { meanIoU: 0.9 } }), new Map([[4, 'hippo']])),
    historyRow(run({ id: 4, status: 'failed', result: null, error: 'out of memory\nstack…' })),
  ]

  it('use the shared summary line, the dataset name and the first line of an error', () => {
    expect(rows[0]?.summary).toBe('unet2d dense, 5 steps; test Dice 0.667 (wasm, 500 ms/step)')
    expect(rows[2]).toMatchObject({ dataset: 'hippo', summary: 'plan 2 sdf; mean IoU 0.900' })
    expect(rows[3]?.summary).toBe('unet2d dense, 5 steps — out of memory')
  })

  it('filter by words (in the row or the config), kind and status', () => {
    const ids = (f: Parameters<typeof filterRows>[1]): number[] => filterRows(rows, f).map((r) => r.id)
    expect(ids({ text: '', kind: '', status: '' })).toEqual([1, 2, 3, 4])
    expect(ids({ text: 'UNET3D', kind: '', status: '' })).toEqual([2])
    expect(ids({ text: 'sample unet2d', kind: '', status: '' })).toEqual([1, 4])
    expect(ids({ text: '', kind: 'interpolation', status: '' })).toEqual([3])
    expect(ids({ text: '', kind: 'training', status: 'cancelled' })).toEqual([2])
    expect(ids({ text: 'memory', kind: '', status: '' })).toEqual([4])
  })

  it('export as RFC 4180 CSV and as the full records in JSON', () => {
    const csv = rowsToCsv([historyRow(run({ config: { dataset: 'a,"b"', model: { kind: 'unet2d' }, steps: 1 }, result: null }))])
    expect(csv).toBe('id,kind,status,dataset,seed,created,summary\r\n1,training,done,"a,""b""",0,2025-01-02T03:04:05.000Z,"unet2d dense, 1 steps"\r\n')
    expect(JSON.parse(rowsToJson(rows.slice(0, 2)))).toEqual([rows[0]?.run, rows[1]?.run])
  })
})

describe('comparing two runs', () => {
  it('flattens nested configs to dotted keys', () => {
    expect([...flatten({ a: 1, b: { c: [1, 2], d: { e: null } } })]).toEqual([['a', '1'], ['b.c', '[1,2]'], ['b.d.e', 'null']])
  })

  it('marks the config keys that differ, including keys only one run has', () => {
    const rows = compareConfigs({ steps: 5, model: { depth: 1, kind: 'unet2d' } }, { steps: 5, model: { depth: 2, kind: 'unet2d' }, seed: 3 })
    expect(rows).toEqual([
      { key: 'model.depth', a: '1', b: '2', differs: true },
      { key: 'model.kind', a: '"unet2d"', b: '"unet2d"', differs: false },
      { key: 'seed', a: '—', b: '3', differs: true },
      { key: 'steps', a: '5', b: '5', differs: false },
    ])
  })

  it('puts the metrics side by side; a run without a result has only its status', () => {
    const rows = compareMetrics(run({}), run({ id: 2, status: 'cancelled', result: null }))
    expect(rows[0]).toEqual({ key: 'status', a: 'done', b: 'cancelled', differs: true })
    expect(rows.find((r) => r.key === 'test Dice (foreground)')).toEqual({ key: 'test Dice (foreground)', a: '0.667', b: '—', differs: true })
    expect(rows.find((r) => r.key === 'test Dice class 1')?.a).toBe('0.571')
    expect(rows.find((r) => r.key === 'final loss')?.a).toBe('0.2500')
  })

  it("describes each run's model with every option its kind reads, its defaults filled in", () => {
    const vit = run({ id: 2, config: { model: { kind: 'unetr3d', hiddenSize: 96, layers: 4, heads: 4, mlpDim: 192, imageSize: [32, 32, 32] }, steps: 3 } })
    expect(compareMetrics(run({}), vit).find((r) => r.key === 'model')).toEqual({
      key: 'model',
      a: 'unet2d, depth 1, base channels 4, norm batch',
      b: 'unetr3d, feature size 16, hidden size 96, layers 4, heads 4, MLP width 192, ViT patch 16, image size 32×32×32',
      differs: true,
    })
  })
})

describe('the backend of a training run', () => {
  const llvmpipe: GpuAdapter = { api: 'opengl', vendor: '', architecture: '', device: 'llvmpipe', description: 'Mesa', software: true }
  const reasons = ['@tensorflow/tfjs-node: not loadable', 'tensorflow: skipped, --backend webgpu was asked for']
  const webgpuRun = run({ id: 7, result: { ...result, backend: 'webgpu', adapter: llvmpipe, threads: 1, backendReasons: reasons } as unknown as Record<string, unknown> })

  it('shows the adapter of a webgpu run, the bare name otherwise, and nothing for runs without a result', () => {
    expect(backendLabel({ backend: 'webgpu', adapter: llvmpipe })).toBe('webgpu · llvmpipe (opengl, software)')
    expect(historyRow(webgpuRun)).toMatchObject({ backend: 'webgpu · llvmpipe (opengl, software)', backendReasons: reasons })
    expect(historyRow(run({}))).toMatchObject({ backend: 'wasm', backendReasons: [] })
    expect(historyRow(run({ result: null })).backend).toBe('')
    expect(filterRows([historyRow(run({})), historyRow(webgpuRun)], { text: 'llvmpipe', kind: '', status: '' }).map((r) => r.id)).toEqual([7])
  })

  it('reads records older than the webgpu rung (no adapter field) as adapter null', () => {
    const { adapter: _dropped, ...old } = result
    expect(historyRow(run({ result: old as unknown as Record<string, unknown> })).backend).toBe('wasm')
    expect(compareMetrics(run({ result: old as unknown as Record<string, unknown> }), webgpuRun).find((r) => r.key === 'adapter')).toEqual({
      key: 'adapter', a: '—', b: 'llvmpipe (opengl, software)', differs: true,
    })
  })

  it('compares adapters, threads and the reasons a run did not use a faster backend, one a line', () => {
    const rows = compareMetrics(run({}), webgpuRun)
    const row = (key: string) => rows.find((r) => r.key === key)
    expect(row('backend')).toMatchObject({ a: 'wasm', b: 'webgpu' })
    expect(row('threads')).toMatchObject({ a: '2', b: '—' })
    expect(row('why not faster')).toMatchObject({ a: '—', b: reasons.join('\n'), differs: true })
  })
})
