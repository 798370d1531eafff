// Pretrained MiT weights from a file the user supplies, shown on a random MiT-B0 that the SegFormer twin
// (bench/pytorch/twins/segformer.py, via mit_weights.py) saves as an ImageNet MiT checkpoint holds it: keys without
// `backbone.`, a 1000-class `head.weight`/`head.bias` beside them, as safetensors and as torch.save's zip.
// `workbench train --model segformer2d --size b0 --init-from FILE` loads every encoder variable (the pairing adds
// `backbone.`), keeps the decode head at init and skips the classifier; loaded so, with the twin's decode head
// added from a second file, our net's logits equal the whole twin's. Skipped, with the reason, without PyTorch.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveModelConfig } from '../../../../shared/models'
import { RunRecordSchema } from '../../../../shared/run'
import { ModelConfigSchema, TrainResultSchema } from '../../../../shared/training'
import { cliRunner } from '../../../test-support/cli-harness'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { buildModel } from '../models/build-model'
import { loadStateDictInto } from './load-state-dict'
import { readWeightsFile } from './read-weights'
import { logitsDiff, pytorchBenchDir, torchMissing, torchPython } from './twin-parity.spec-helpers'

const skipReason = torchMissing()
if (skipReason) console.warn(`init-from-mit.spec: skipped: ${skipReason}`)

const CLASSES = 3
let dir = ''
let manifest: { encoderKeys: string[]; decodeHeadKeys: string[]; logitsShape: number[] }
beforeAll(() => {
  if (skipReason) return
  dir = mkdtempSync(join(tmpdir(), 'wb-init-mit-'))
  execFileSync(torchPython, [join(pytorchBenchDir, 'mit_weights.py'), join(dir, 'mit'), '--size', 'b0', '--classes', String(CLASSES), '--shape', '1,64,64', '--seed', '5'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
  manifest = JSON.parse(readFileSync(join(dir, 'mit', 'manifest.json'), 'utf8')) as typeof manifest
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const cli = cliRunner(() => ['--db', join(dir, 'w.db'), '--workspace', join(dir, 'ws')])
const readFloats = (path: string): Float32Array => {
  const b = readFileSync(path)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

describe.skipIf(Boolean(skipReason))(`--init-from an ImageNet-style MiT-B0 checkpoint${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  for (const file of ['mit.pth', 'mit.safetensors']) {
    it(`workbench train --model segformer2d --size b0 --init-from ${file}: encoder loaded, decode head at init, classifier skipped`, async () => {
      const path = join(dir, 'mit', file)
      const r = await cli('train', '--dataset', 'sample', '--model', 'segformer2d', '--size', 'b0', '--init-from', path, '--steps', '1', '--batch', '2', '--evaluate', 'none')
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      const n = manifest.encoderKeys.length
      expect(r.out).toContain(`init from ${path} (${file.endsWith('.pth') ? 'pytorch-zip' : 'safetensors'}): loaded ${n} of our ${n + manifest.decodeHeadKeys.length - 1} variables (the file's keys read under our 'backbone.')`)
      expect(r.out).toContain('file keys not in the net, skipped (2): head.weight, head.bias')
      const run = RunRecordSchema.array().parse(JSON.parse((await cli('runs', '--json')).out))[0]
      const report = TrainResultSchema.parse(run?.result).initFrom
      expect(report?.prefix).toEqual({ file: '', ours: 'backbone.' })
      expect(report?.loaded).toEqual(manifest.encoderKeys.map((k) => `backbone.${k}`))
      // Weights first, then state (running statistics), each in the net's order.
      expect([...(report?.missing ?? [])].sort()).toEqual(manifest.decodeHeadKeys.filter((k) => !k.endsWith('num_batches_tracked')).sort())
      expect(report?.skipped).toEqual(['head.weight', 'head.bias'])
      expect(report?.mismatched).toEqual([])
    })
  }

  it("the encoder lands where it belongs: with the twin's decode head added, our logits equal the whole twin's", async () => {
    configureWasm()
    expect(await tf.setBackend('wasm')).toBe(true)
    const pth = readWeightsFile(join(dir, 'mit', 'mit.pth'))
    const safetensors = readWeightsFile(join(dir, 'mit', 'mit.safetensors'))
    // The two files PyTorch wrote hold the same tensors.
    expect([...pth.tensors.keys()]).toEqual([...safetensors.tensors.keys()])
    for (const [k, t] of pth.tensors) expect(Array.from(t.values), k).toEqual(Array.from(safetensors.tensors.get(k)?.values ?? []))

    const config = resolveModelConfig(ModelConfigSchema.parse({ kind: 'segformer2d', size: 'b0' }))
    const net = buildModel(config, { inChannels: 1, numClasses: CLASSES, rng: createRng(1) })
    try {
      const x = tf.tensor(readFloats(join(dir, 'mit', 'input.f32')), [1, 64, 64, 1])
      const headPath = join(dir, 'mit', 'decode-head.safetensors')
      loadStateDictInto(net, readWeightsFile(headPath), headPath)
      const headOnly = net.apply(x, false)
      const twin = readFloats(join(dir, 'mit', 'logits-eval.f32'))
      // Before the encoder is loaded the logits are another net's.
      expect(logitsDiff(headOnly.dataSync() as Float32Array, twin).relDiff).toBeGreaterThan(1e-2)
      loadStateDictInto(net, pth, join(dir, 'mit', 'mit.pth'))
      const y = net.apply(x, false)
      expect(y.shape).toEqual(manifest.logitsShape)
      const diff = logitsDiff(y.dataSync() as Float32Array, twin)
      expect(diff.scale).toBeGreaterThan(0.1)
      expect(diff.relDiff).toBeLessThan(1e-4)
      tf.dispose([x, headOnly, y])
    } finally {
      net.dispose()
    }
  })
})
