/**
 * Weights files for the readers' specs: safetensors built in the test (any header, even a broken one), and the
 * files PyTorch itself writes (bench/pytorch/weights_fixtures.py: torch.save zips, safetensors, refusals).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileDtype } from './file-tensor'
import { pytorchBenchDir, torchMissing, torchPython } from './twin-parity.spec-helpers'

/** One tensor to write: its raw little-endian bytes (or numbers encoded as `dtype`). */
export interface TensorToWrite {
  readonly name: string
  readonly dtype: FileDtype | string
  readonly shape: readonly number[]
  readonly data: Uint8Array
}

/** float32 numbers as little-endian bytes. */
export function f32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer)
}

/**
 * A safetensors file of `tensors` back to back (offsets as written unless `header` overrides entries), with the
 * header length field `headerLength` when given (to test a lying length).
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], options: { header?: Record<string, unknown>; headerLength?: bigint } = {}): Uint8Array {
  const header: Record<string, unknown> = {}
  let at = 0
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] }
    at += t.data.length
  }
  Object.assign(header, options.header ?? {})
  const json = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(8 + json.length + at)
  new DataView(out.buffer).setBigUint64(0, options.headerLength ?? BigInt(json.length), true)
  out.set(json, 8)
  let p = 8 + json.length
  for (const t of tensors) {
    out.set(t.data, p)
    p += t.data.length
  }
  return out
}

/** What PyTorch wrote and what a reader must find (see weights_fixtures.py). */
export interface TorchWeightsFixtures {
  readonly dir: string
  readonly torch: string
  readonly read: Record<string, Record<string, { dtype: FileDtype; shape: number[]; values: (number | string)[] }>>
  readonly refuse: Record<string, string>
  /** A file the refused pickle would have created had it been run. */
  readonly sentinel: string
}

/** Writes the PyTorch fixtures into a fresh temp folder (the caller removes it), or says why it cannot. */
export function generateTorchWeightsFixtures(): TorchWeightsFixtures | { skipped: string } {
  const missing = torchMissing()
  if (missing) return { skipped: missing }
  const dir = mkdtempSync(join(tmpdir(), 'weights-fixtures-'))
  execFileSync(torchPython, [join(pytorchBenchDir, 'weights_fixtures.py'), dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Omit<TorchWeightsFixtures, 'dir'>
  return { dir, ...expected }
}
