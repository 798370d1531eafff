/**
 * The safetensors format, read without any library: 8 bytes little-endian header length N, N bytes of UTF-8 JSON
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {…}}, then the data section, each tensor's
 * bytes at [begin, end) relative to its start, row-major, little-endian. Every problem (truncation, a header past
 * the end, offsets that overlap or do not fit the shape, an element type this reader does not take) is an
 * InputError naming the file, raised before any value is used.
 */
import { InputError } from '../../../../shared/errors'
import { shown } from '../../../../shared/init-from'
import { decodeElements, dtypeBytes, elementCount, fileDtypes, type FileDtype, type FileTensor, type StateDictFile } from './file-tensor'

/** The spec's cap on the header (it guards against a length that would make us allocate gigabytes). */
const MAX_HEADER_BYTES = 100_000_000

interface HeaderEntry {
  readonly name: string
  readonly dtype: FileDtype
  readonly shape: number[]
  readonly begin: number
  readonly end: number
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** One header entry checked field by field (the name is quoted in every problem). */
function headerEntry(source: string, name: string, raw: unknown): HeaderEntry {
  const fail = (problem: string): never => {
    throw new InputError(source, `safetensors tensor '${shown(name)}': ${problem}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('its header entry is not an object')
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>
  if (typeof dtype !== 'string') return fail('dtype is missing')
  if (!(fileDtypes as readonly string[]).includes(dtype)) return fail(`dtype '${shown(dtype)}' is not one this reader takes (${fileDtypes.join(', ')})`)
  if (!Array.isArray(shape) || !shape.every(isCount)) return fail('shape is not a list of non-negative integers')
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) return fail('data_offsets is not a pair of non-negative integers')
  const [begin, end] = offsets as [number, number]
  if (end < begin) return fail(`data_offsets [${begin}, ${end}] end before they begin`)
  const needed = elementCount(shape) * dtypeBytes[dtype as FileDtype]
  if (end - begin !== needed) return fail(`shape [${shape.join(', ')}] of ${dtype} needs ${needed} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`)
  return { name, dtype: dtype as FileDtype, shape, begin, end }
}

/** Parses a safetensors file's bytes; `source` (the file's path) names it in every problem. */
export function parseSafetensors(bytes: Uint8Array, source: string): StateDictFile {
  if (bytes.length < 8) throw new InputError(source, `safetensors file is truncated (${bytes.length} bytes; the header length alone takes 8)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getBigUint64(0, true)
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new InputError(source, `safetensors header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`)
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw new InputError(source, `safetensors header of ${headerLength} bytes is larger than the format allows (${MAX_HEADER_BYTES})`)
  const dataStart = 8 + Number(headerLength)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)))
  } catch {
    throw new InputError(source, 'safetensors header is not valid UTF-8 JSON')
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InputError(source, 'safetensors header is not a JSON object')
  const dataLength = bytes.length - dataStart
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, raw]) => headerEntry(source, name, raw))
  for (const e of entries) {
    if (e.end > dataLength) throw new InputError(source, `safetensors file is truncated: tensor '${shown(e.name)}' ends at data byte ${e.end}, the data section has ${dataLength}`)
  }
  const byBegin = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)
  for (let i = 1; i < byBegin.length; i++) {
    const [a, b] = [byBegin[i - 1] as HeaderEntry, byBegin[i] as HeaderEntry]
    if (b.begin < a.end) throw new InputError(source, `safetensors tensors '${shown(a.name)}' and '${shown(b.name)}' overlap in the data section ([${a.begin}, ${a.end}) and [${b.begin}, ${b.end}))`)
  }
  const tensors = new Map<string, FileTensor>()
  for (const e of entries) {
    const values = decodeElements(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, elementCount(e.shape))
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, values })
  }
  return { format: 'safetensors', tensors }
}
