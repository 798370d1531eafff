// Fuzz test of the weights readers: seeded random mutations (bytes, and 2/4/8-byte fields set to values that break
// naive arithmetic) and truncations of small safetensors files (built here, and written by Python) and torch.save
// zips (written by PyTorch: every storage type, views, a nested checkpoint). Every case must end in a read or a
// one-line InputError within 250 ms of CPU time, and a read never holds more values than the file has bytes.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../../shared/errors'
import { createRng, type Rng } from '../../random/rng'
import { parseWeightsFile } from './read-weights'
import { encodeSafetensors, f32Bytes, generateTorchWeightsFixtures } from './weights-files.spec-helpers'

const SRC = '/fuzz/weights.bin'
const CASE_LIMIT_MS = 250

const fixtures = generateTorchWeightsFixtures()
afterAll(() => {
  if ('dir' in fixtures) rmSync(fixtures.dir, { recursive: true, force: true })
})
if ('skipped' in fixtures) console.warn(`weights-fuzz.spec: the PyTorch-written seeds are skipped: ${fixtures.skipped}`)

const built = encodeSafetensors([
  { name: 'backbone.conv.weight', dtype: 'F32', shape: [2, 1, 2, 2], data: f32Bytes([1, 2, 3, 4, 5, 6, 7, 8]) },
  { name: 'half', dtype: 'F16', shape: [3], data: new Uint8Array(Uint16Array.from([0x3c00, 0x0001, 0x7c00]).buffer) },
  { name: 'n', dtype: 'I64', shape: [], data: new Uint8Array(8) },
])
const seeds: { name: string; bytes: Uint8Array }[] = [
  { name: 'built safetensors', bytes: built },
  ...('dir' in fixtures ? ['python.safetensors', 'plain.pth', 'nested.pth'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(fixtures.dir, f))) })) : []),
]

const nasty = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, -1, 2 ** 40]

function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice()
  const view = new DataView(out.buffer)
  for (let m = 1 + rng.int(4); m > 0; m--) {
    const at = rng.int(out.length)
    const value = nasty[rng.int(nasty.length)] as number
    const kind = rng.int(4)
    if (kind === 0 || at + 8 > out.length) out[at] = rng.int(256)
    else if (kind === 1) view.setUint16(at, value & 0xffff, true)
    else if (kind === 2) view.setUint32(at, value >>> 0, true)
    else view.setBigInt64(at, BigInt(value), true)
  }
  return out
}

/** CPU milliseconds this process has used: unlike the wall clock, not stretched by other processes on a busy machine. */
const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function runCase(what: string, bytes: Uint8Array): 'read' | 'refused' {
  const started = cpuMs()
  let outcome: 'read' | 'refused' = 'read'
  try {
    const file = parseWeightsFile(bytes, SRC)
    let values = 0
    for (const t of file.tensors.values()) {
      expect(t.values.length, what).toBe(t.shape.reduce((a, b) => a * b, 1))
      values += t.values.length
    }
    // At least one byte (half, bfloat16: two) of the file behind every value read.
    expect(values, `${what}: more values than the file has bytes`).toBeLessThanOrEqual(bytes.length)
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`${what}: not a refusal but ${String(error)}`)
    expect(error.message, what).not.toMatch(/[\r\n]/)
    expect(error.message.startsWith(`${SRC}: `), what).toBe(true)
    outcome = 'refused'
  }
  expect(cpuMs() - started, `${what} took too long`).toBeLessThan(CASE_LIMIT_MS)
  return outcome
}

describe('weights readers fuzz (seeded): a read or a one-line refusal, fast, bounded', () => {
  it('every seed reads as it is', () => {
    for (const seed of seeds) expect(runCase(seed.name, seed.bytes)).toBe('read')
  })

  it('random mutations of each seed', () => {
    const rng = createRng(17)
    const tally: Record<string, number> = {}
    for (let n = 0; n < 300 * seeds.length; n++) {
      const seed = seeds[n % seeds.length] as (typeof seeds)[number]
      const outcome = runCase(`mutation ${n} of ${seed.name}`, mutate(seed.bytes, rng))
      tally[outcome] = (tally[outcome] ?? 0) + 1
    }
    // Both outcomes occur: mutations reach the data (still readable) and the structure (refused).
    expect(tally.read).toBeGreaterThan(30)
    expect(tally.refused).toBeGreaterThan(30)
  })

  it('truncations at random lengths are refused', () => {
    const rng = createRng(18)
    for (let n = 0; n < 100 * seeds.length; n++) {
      const seed = seeds[n % seeds.length] as (typeof seeds)[number]
      expect(runCase(`truncation ${n} of ${seed.name}`, seed.bytes.subarray(0, rng.int(seed.bytes.length)))).toBe('refused')
    }
  })
})
