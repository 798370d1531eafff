// Checkpoint files: a round trip through a fresh net (same outputs, state included), optimiser slots, the
// atomic write, and one InputError per kind of bad file or mismatched net, raised before any variable
// of the net is touched.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { ModelConfigSchema, type ModelConfig } from '../../../shared/training'
import { createRng } from '../random/rng'
import { configureWasm } from './backends/wasm/setup'
import { loadCheckpointInto, readCheckpoint, saveCheckpoint } from './checkpoint'
import { buildModel, type ConfiguredNet } from './models/build-model'

let dir = ''

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
  dir = mkdtempSync(join(tmpdir(), 'ckpt-spec-'))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const small: ModelConfig = ModelConfigSchema.parse({ kind: 'unet2d', depth: 1, baseChannels: 2, normalisation: 'batch' })

function net(config: Partial<ModelConfig> = {}, seed = 1, numClasses = 2): ConfiguredNet {
  return buildModel({ ...small, ...config }, { inChannels: 1, numClasses, rng: createRng(seed) })
}

const input = (): tf.Tensor => tf.tensor(Array.from({ length: 2 * 4 * 4 }, (_, i) => Math.sin(i)), [2, 4, 4, 1])

function values(n: ConfiguredNet): number[][] {
  return [...n.weights.values(), ...n.state.values()].map((v) => Array.from(v.dataSync()))
}

/** Expects `fn` to throw an InputError about `path` whose problem matches `problem`. */
function expectInputError(fn: () => unknown, path: string, problem: RegExp): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(caught).toBeInstanceOf(InputError)
  expect((caught as InputError).source).toBe(path)
  expect((caught as InputError).problem).toMatch(problem)
}

describe('checkpoints', () => {
  it('round-trips weights, state and slots: a fresh net after loading gives the same outputs', async () => {
    const a = net({}, 1)
    const x = input()
    tf.tidy(() => a.apply(x, true)) // moves the running statistics off their initial values
    const slot = tf.variable(tf.tensor1d([1.5, -2]), false)
    const path = join(dir, 'round.ckpt')
    await saveCheckpoint(path, { net: a, optimizerSlots: new Map([['down0.conv1.w/m', slot]]), meta: { step: 7 } })
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])

    const checkpoint = readCheckpoint(path)
    expect(checkpoint.header.model).toEqual(small)
    expect(checkpoint.header.meta).toEqual({ step: 7 })
    expect(Array.from(checkpoint.slots.get('down0.conv1.w/m') ?? [])).toEqual([1.5, -2])

    const b = net({}, 2)
    expect(values(b)).not.toEqual(values(a))
    loadCheckpointInto(b, checkpoint, path)
    expect(values(b)).toEqual(values(a))
    const ya = tf.tidy(() => Array.from(a.apply(x, false).dataSync()))
    const yb = tf.tidy(() => Array.from(b.apply(x, false).dataSync()))
    expect(yb).toEqual(ya)
    for (const t of [a, b, x, slot]) t.dispose()
  })

  it('refuses bad files with an InputError naming the file', async () => {
    const a = net()
    const good = join(dir, 'good.ckpt')
    await saveCheckpoint(good, { net: a, meta: {} })
    const bytes = readFileSync(good)
    const headerLength = bytes.readUInt32LE(8)
    const write = (name: string, data: Buffer | string): string => {
      const p = join(dir, name)
      writeFileSync(p, data)
      return p
    }
    const missing = join(dir, 'missing.ckpt')
    expectInputError(() => readCheckpoint(missing), missing, /not found/)
    const magic = write('magic.ckpt', Buffer.concat([Buffer.from('NOTACKPT'), bytes.subarray(8)]))
    expectInputError(() => readCheckpoint(magic), magic, /bad magic/)
    const short = write('short.ckpt', 'SEGC')
    expectInputError(() => readCheckpoint(short), short, /bad magic/)
    const header = write('header.ckpt', bytes.subarray(0, 12 + headerLength - 5))
    expectInputError(() => readCheckpoint(header), header, /truncated/)
    const truncated = write('truncated.ckpt', bytes.subarray(0, bytes.length - 4))
    expectInputError(() => readCheckpoint(truncated), truncated, /truncated/)
    const json = Buffer.from(bytes)
    json.write('#', 12)
    const badJson = write('json.ckpt', json)
    expectInputError(() => readCheckpoint(badJson), badJson, /not valid JSON/)
    const flipped = Buffer.from(bytes)
    flipped[bytes.length - 1] = (flipped[bytes.length - 1] as number) ^ 0xff
    const corrupt = write('corrupt.ckpt', flipped)
    expectInputError(() => readCheckpoint(corrupt), corrupt, /checksum/)
    const parsed = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as Record<string, unknown>
    const badHeader = Buffer.from(JSON.stringify({ ...parsed, inChannels: -1 }))
    const prefix = Buffer.alloc(12)
    prefix.write('SEGCKPT1', 0, 'latin1')
    prefix.writeUInt32LE(badHeader.length, 8)
    const invalid = write('invalid.ckpt', Buffer.concat([prefix, badHeader, bytes.subarray(12 + headerLength)]))
    expectInputError(() => readCheckpoint(invalid), invalid, /header is invalid \(inChannels/)
    a.dispose()
  })

  it('refuses a checkpoint of another model, class count or tensor shape before touching the net', async () => {
    const a = net()
    const path = join(dir, 'a.ckpt')
    await saveCheckpoint(path, { net: a, meta: {} })
    const checkpoint = readCheckpoint(path)
    const cases: [ConfiguredNet, RegExp][] = [
      [net({ baseChannels: 3 }), /different model/],
      [net({ normalisation: 'instance' }), /different model/],
      [net({ kind: 'attention-unet2d' }), /different model/],
      [net({}, 1, 3), /2 classes, this run 3/],
    ]
    for (const [other, problem] of cases) {
      const before = values(other)
      expectInputError(() => loadCheckpointInto(other, checkpoint, path), path, problem)
      expect(values(other)).toEqual(before)
      other.dispose()
    }
    // Same config, but one tensor of another shape, and one missing: refused, nothing assigned.
    const b = net({}, 3)
    const before = values(b)
    const reshaped = { ...checkpoint, header: { ...checkpoint.header, tensors: checkpoint.header.tensors.map((t) => (t.name === 'head.b' ? { ...t, shape: [1, 2] } : t)) } }
    expectInputError(() => loadCheckpointInto(b, reshaped, path), path, /'head.b' has shape \[1, 2\], the net \[2\]/)
    const weights = new Map(checkpoint.weights)
    weights.delete('head.w')
    expectInputError(() => loadCheckpointInto(b, { ...checkpoint, weights }, path), path, /lacks the weight 'head.w'/)
    expect(values(b)).toEqual(before)
    for (const n of [a, b]) n.dispose()
  })

  it("compares every option of the new kinds' resolved configs and names the ones that differ", async () => {
    const segresnet = (blocksDown: number[]): ConfiguredNet => net({ kind: 'segresnet2d', baseChannels: 8, blocksDown, blocksUp: [1] })
    const a = segresnet([1, 1])
    const path = join(dir, 'segresnet.ckpt')
    await saveCheckpoint(path, { net: a, meta: {} })
    const checkpoint = readCheckpoint(path)
    // More blocks down: not "lacks the weight down_layers.0.2…" but the option that differs, and both models in words.
    const b = segresnet([2, 1])
    const before = values(b)
    expectInputError(
      () => loadCheckpointInto(b, checkpoint, path),
      path,
      /^checkpoint is of a different model \(blocks down 1,1 vs 2,1\): the checkpoint's is segresnet2d, init filters 8, blocks down 1,1, blocks up 1; this run's segresnet2d, init filters 8, blocks down 2,1, blocks up 1$/,
    )
    expect(values(b)).toEqual(before)
    // A field the kind does not read (a SegResNet's depth) is no difference.
    const c = net({ kind: 'segresnet2d', baseChannels: 8, blocksDown: [1, 1], blocksUp: [1], depth: 3 })
    expect(() => loadCheckpointInto(c, checkpoint, path)).not.toThrow()
    for (const n of [a, b, c]) n.dispose()
  })

  it('replaces an existing file atomically', async () => {
    const path = join(dir, 'replace.ckpt')
    writeFileSync(path, 'old contents')
    const a = net()
    await saveCheckpoint(path, { net: a, meta: { n: 1 } })
    expect(readCheckpoint(path).header.meta).toEqual({ n: 1 })
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    a.dispose()
  })
})
