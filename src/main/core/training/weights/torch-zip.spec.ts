// The torch.save zip reader against files PyTorch itself writes (bench/pytorch/weights_fixtures.py): float32,
// float16, bfloat16, float64 and int64 storages, an nn.Parameter, a transposed (strided) view, slices sharing one
// storage at offsets, an empty tensor, a checkpoint nesting its state dict under 'state_dict' beside an optimiser;
// and the refusals: a pickle naming os.system (or a builtin) is refused without running anything, a compressed
// member, an int32 storage, the pre-1.6 format, a zip torch.save did not write. Skipped, with the reason, without
// PyTorch.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../../../shared/errors'
import { parseWeightsFile, readWeightsFile } from './read-weights'
import { generateTorchWeightsFixtures } from './weights-files.spec-helpers'

const fixtures = generateTorchWeightsFixtures()
const skipReason = 'skipped' in fixtures ? fixtures.skipped : ''
if (skipReason) console.warn(`torch-zip.spec: skipped: ${skipReason}`)
afterAll(() => {
  if ('dir' in fixtures) rmSync(fixtures.dir, { recursive: true, force: true })
})

describe.skipIf(Boolean(skipReason))(`weights files written by PyTorch${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const f = 'dir' in fixtures ? fixtures : null

  for (const name of ['plain.pth', 'nested.pth', 'python.safetensors']) {
    it(`${name}: every tensor with PyTorch's dtype, shape and values`, () => {
      if (!f) return
      const file = readWeightsFile(join(f.dir, name))
      expect(file.format).toBe(name.endsWith('.pth') ? 'pytorch-zip' : 'safetensors')
      const want = f.read[name] ?? {}
      expect(Object.keys(want).length).toBeGreaterThan(5)
      for (const [key, t] of Object.entries(want)) {
        const got = file.tensors.get(key)
        expect(got, key).toBeDefined()
        expect(got?.dtype, key).toBe(t.dtype)
        expect(got?.shape, key).toEqual(t.shape)
        // float32 from each source type: exactly PyTorch's value rounded to float32.
        expect(Array.from(got?.values ?? []), key).toEqual(t.values.map((v) => Math.fround(Number(v))))
      }
    })
  }

  it('reads the views of plain.pth from one shared storage: transposed, windowed, a column', () => {
    if (!f) return
    const t = readWeightsFile(join(f.dir, 'plain.pth')).tensors
    const base = Array.from({ length: 24 }, (_, n) => Math.fround(n / 7))
    expect(t.get('transposed')?.shape).toEqual([6, 4])
    expect(Array.from(t.get('transposed')?.values ?? [])).toEqual(Array.from({ length: 24 }, (_, n) => base[(n % 4) * 6 + Math.floor(n / 4)]))
    expect(Array.from(t.get('window')?.values ?? [])).toEqual([8, 9, 10, 14, 15, 16].map((n) => base[n]))
    expect(Array.from(t.get('column')?.values ?? [])).toEqual([4, 10, 16, 22].map((n) => base[n]))
  })

  it("nested.pth: the state dict under 'state_dict.' and the optimiser's tensors, numbers and strings left out", () => {
    if (!f) return
    const keys = [...readWeightsFile(join(f.dir, 'nested.pth')).tensors.keys()]
    expect(keys.filter((k) => k.startsWith('state_dict.'))).toEqual(Object.keys(f.read['nested.pth'] ?? {}))
    expect(keys.some((k) => k.startsWith('optimizer.state.0.'))).toBe(true)
    expect(keys).not.toContain('epoch')
  })

  for (const [name, problem] of Object.entries('refuse' in fixtures ? fixtures.refuse : {})) {
    it(`refuses ${name} with one line naming the file (${problem})`, () => {
      if (!f) return
      const path = join(f.dir, name)
      let error: unknown
      try {
        readWeightsFile(path)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(InputError)
      const message = (error as Error).message
      expect(message.startsWith(`${path}: `)).toBe(true)
      expect(message).toContain(problem)
      expect(message).not.toMatch(/[\r\n]/)
      // The refused pickle's command never ran.
      expect(existsSync(f.sentinel)).toBe(false)
    })
  }

  it('refuses a torch zip cut short, with the file named', () => {
    if (!f) return
    const bytes = readFileSync(join(f.dir, 'plain.pth'))
    const path = join(f.dir, 'cut.pth')
    for (const length of [10, 100, bytes.length - 30, bytes.length - 1]) {
      expect(() => parseWeightsFile(bytes.subarray(0, length), path)).toThrow(InputError)
    }
  })
})
