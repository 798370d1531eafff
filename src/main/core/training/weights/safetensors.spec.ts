// The safetensors reader on files built in the test: every element type converted to float32 (half-precision
// subnormals and infinities, bfloat16, float64 rounding, int64), and each malformed file refused with one line that
// names the file: truncated, a header length past the end, overlapping offsets, offsets that do not fit the shape,
// an unknown dtype, a header that is not JSON. (Files PyTorch writes: torch-zip.spec.ts.)
import { describe, expect, it } from 'vitest'
import { InputError } from '../../../../shared/errors'
import { parseSafetensors } from './safetensors'
import { encodeSafetensors, f32Bytes } from './weights-files.spec-helpers'

const SRC = '/weights/model.safetensors'

function refusal(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes, SRC)
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    const message = (e as Error).message
    expect(message.startsWith(`${SRC}: `)).toBe(true)
    expect(message).not.toMatch(/[\r\n]/)
    return message
  }
  throw new Error('the file was read')
}

const u16 = (values: number[]): Uint8Array => new Uint8Array(Uint16Array.from(values).buffer)

describe('parseSafetensors', () => {
  it('reads every element type as float32 in row-major order with its shape', () => {
    const bytes = encodeSafetensors([
      { name: 'conv.weight', dtype: 'F32', shape: [2, 1, 1, 2], data: f32Bytes([1.5, -2, 3.25, 0]) },
      // 1, -2, 65504 (largest), the smallest subnormal 2^-24, -inf, NaN
      { name: 'half', dtype: 'F16', shape: [6], data: u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0xfc00, 0x7e00]) },
      // bfloat16 1.0, -0.15625, and 3.0 × 2^127 truncated
      { name: 'brain', dtype: 'BF16', shape: [3], data: u16([0x3f80, 0xbe20, 0x7f40]) },
      { name: 'double', dtype: 'F64', shape: [2], data: new Uint8Array(Float64Array.from([1 / 3, 1e-300]).buffer) },
      { name: 'bn.num_batches_tracked', dtype: 'I64', shape: [], data: new Uint8Array(BigInt64Array.from([-42n]).buffer) },
      { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) },
    ])
    const file = parseSafetensors(bytes, SRC)
    expect(file.format).toBe('safetensors')
    expect([...file.tensors.keys()]).toEqual(['conv.weight', 'half', 'brain', 'double', 'bn.num_batches_tracked', 'empty'])
    const get = (k: string) => file.tensors.get(k) as { dtype: string; shape: readonly number[]; values: Float32Array }
    expect(get('conv.weight').shape).toEqual([2, 1, 1, 2])
    expect(Array.from(get('conv.weight').values)).toEqual([1.5, -2, 3.25, 0])
    expect(Array.from(get('half').values)).toEqual([1, -2, 65504, 2 ** -24, -Infinity, NaN])
    expect(Array.from(get('brain').values)).toEqual([1, -0.15625, 3 * 2 ** 126])
    expect(Array.from(get('double').values)).toEqual([Math.fround(1 / 3), 0])
    expect(get('bn.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] })
    expect(Array.from(get('bn.num_batches_tracked').values)).toEqual([-42])
    expect(get('empty').values.length).toBe(0)
  })

  it('takes tensors in any order in the data section and skips __metadata__', () => {
    const data = new Uint8Array(16)
    data.set(f32Bytes([7, 8]), 0)
    data.set(f32Bytes([5, 6]), 8)
    const header = { b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, a: { dtype: 'F32', shape: [2], data_offsets: [8, 16] }, __metadata__: { format: 'pt' } }
    const bytes = encodeSafetensors([{ name: 'raw', dtype: 'F32', shape: [4], data }], { header: { ...header, raw: undefined } })
    const file = parseSafetensors(bytes, SRC)
    expect(Array.from(file.tensors.get('a')?.values ?? [])).toEqual([5, 6])
    expect(Array.from(file.tensors.get('b')?.values ?? [])).toEqual([7, 8])
    expect(file.tensors.has('__metadata__')).toBe(false)
  })

  it('refuses truncated files, a header length past the end, overlaps, misfit offsets, unknown dtypes and bad JSON', () => {
    const good = encodeSafetensors([
      { name: 'w', dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) },
      { name: 'b', dtype: 'F32', shape: [2], data: f32Bytes([5, 6]) },
    ])
    expect(refusal(good.subarray(0, 5))).toMatch(/truncated \(5 bytes/)
    expect(refusal(good.subarray(0, good.length - 3))).toMatch(/truncated: tensor 'b' ends at data byte 24, the data section has 21/)
    expect(refusal(encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [1], data: f32Bytes([1]) }], { headerLength: 1n << 40n }))).toMatch(/header length 1099511627776 runs past the end of the file/)
    expect(refusal(encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [1], data: f32Bytes([1]) }], { headerLength: 2n ** 64n - 1n }))).toMatch(/runs past the end/)
    const overlapping = { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] } }
    expect(refusal(encodeSafetensors([{ name: 'pad', dtype: 'F32', shape: [6], data: f32Bytes([1, 2, 3, 4, 5, 6]) }], { header: { ...overlapping, pad: undefined } }))).toMatch(
      /tensors 'w' and 'b' overlap in the data section \(\[0, 16\) and \[12, 20\)\)/,
    )
    expect(refusal(encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [3], data: f32Bytes([1, 2]) }]))).toMatch(/tensor 'w': shape \[3\] of F32 needs 12 bytes, data_offsets \[0, 8\] span 8/)
    expect(refusal(encodeSafetensors([{ name: 'w', dtype: 'C64', shape: [1], data: new Uint8Array(8) }]))).toMatch(/tensor 'w': dtype 'C64' is not one this reader takes \(F32, F16, BF16, F64, I64\)/)
    expect(refusal(encodeSafetensors([{ name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array(1) }]))).toMatch(/dtype 'U8'/)
    expect(refusal(encodeSafetensors([], { header: { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } } }))).toMatch(/shape is not a list of non-negative integers/)
    expect(refusal(encodeSafetensors([], { header: { w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } } }))).toMatch(/end before they begin/)
    expect(refusal(encodeSafetensors([], { header: { w: 'F32' } }))).toMatch(/header entry is not an object/)
    const notJson = encodeSafetensors([])
    notJson[8] = 0x7b
    notJson[9] = 0x7b
    expect(refusal(notJson)).toMatch(/header is not valid UTF-8 JSON/)
    const array = new Uint8Array(8 + 2)
    array[0] = 2
    array.set([0x5b, 0x5d], 8)
    expect(refusal(array)).toMatch(/header is not a JSON object/)
  })
})
