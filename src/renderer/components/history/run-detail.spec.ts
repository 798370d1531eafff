import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../shared/run'
import { configRows, runDurationText, runFacts, volumeScores } from './run-detail'

const base: RunRecord = {
  id: 7, kind: 'training', status: 'done', datasetId: 1, seed: 3, config: { model: { kind: 'unet2d', depth: 2 }, steps: 20 },
  result: null, error: null, createdAt: '2026-01-02T10:00:00.000Z', startedAt: '2026-01-02T10:00:01.000Z', finishedAt: '2026-01-02T10:02:06.000Z', pid: null, host: null,
}
const result = {
  backend: 'wasm', backendReasons: ['webgpu: no adapter'], adapter: null, threads: 2, trainVolumes: 4, annotatedSlices: 12, parameters: 1000, steps: 20,
  timings: { loadMs: 10, trainMs: 118_000, msPerStep: 5900, evalMs: 300 }, peakRssMb: 300, curve: [{ step: 10, loss: 0.5, lr: 0.01, annotatedFraction: null }],
  checkpoint: '/ws/runs/7/model', evaluation: {
    split: 'test', meanIou: 0.5, meanDice: 0.6, perClass: [], ms: 300,
    volumes: [
      { volumeId: 1, caseId: 'b', iou: 0.7, dice: 0.8, perClass: [] },
      { volumeId: 2, caseId: 'a', iou: 0.3, dice: 0.4, perClass: [] },
    ],
  },
}

describe('runFacts', () => {
  it('says a training run\'s duration, local times, backend and checkpoint in words', () => {
    const facts = new Map(runFacts({ ...base, result }).map((f) => [f.key, f.value]))
    expect(facts.get('duration')).toBe('2 min 05 s')
    expect(facts.get('started')).not.toContain('T')
    expect(facts.get('backend')).toBe('wasm')
    expect(facts.get('checkpoint')).toBe('/ws/runs/7/model')
    expect(facts.get('training time')).toBe('1 min 58 s')
    expect(facts.get('test Dice / IoU')).toBe('0.600 / 0.500')
  })

  it('says what --init-from loaded, kept at init and skipped', () => {
    const initFrom = {
      file: '/weights/mit_b0.pth', format: 'pytorch-zip', prefix: { file: '', ours: 'backbone.' }, loaded: ['backbone.norm1.weight', 'backbone.norm1.bias'],
      skipped: ['head.weight'], missing: ['decode_head.linear_pred.weight'], mismatched: [{ name: 'backbone.x.weight', fileKey: 'x.weight', fileShape: [2, 3], ourShape: [3, 3] }], converted: { F16: 2 },
    }
    const facts = new Map(runFacts({ ...base, result: { ...result, initFrom } }).map((f) => [f.key, f.value]))
    expect(facts.get('init from')).toBe("/weights/mit_b0.pth (pytorch-zip): loaded 2 of our 4 variables (the file's keys read under our 'backbone.'); converted to float32: 2 F16")
    expect(facts.get('shape differs')).toBe('kept at init, shape differs (1): backbone.x.weight file [2, 3] ours [3, 3]')
    expect(facts.get('not in the file')).toBe('kept at init, not in the file (1): decode_head.linear_pred.weight')
    expect(facts.get('skipped')).toBe('file keys not in the net, skipped (1): head.weight')
    expect(new Map(runFacts({ ...base, result }).map((f) => [f.key, f.value])).has('init from')).toBe(false)
  })

  it('says "—" for a run that has not finished, and the first error line of a failed one', () => {
    expect(runDurationText({ ...base, finishedAt: null })).toBe('—')
    const facts = new Map(runFacts({ ...base, status: 'failed', error: 'out of memory\nstack…' }).map((f) => [f.key, f.value]))
    expect(facts.get('error')).toBe('out of memory')
    expect(facts.has('backend')).toBe(false)
  })
})

describe('configRows and volumeScores', () => {
  it('flattens the config to sorted keys and lists the per-volume scores worst first', () => {
    expect(configRows(base)).toEqual([
      { key: 'model.depth', value: '2' },
      { key: 'model.kind', value: '"unet2d"' },
      { key: 'steps', value: '20' },
    ])
    expect(volumeScores({ ...base, result }).map((v) => v.caseId)).toEqual(['a', 'b'])
    expect(volumeScores(base)).toEqual([])
  })
})
