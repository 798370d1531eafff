/**
 * The entries of a zip archive whose members are stored uncompressed, as torch.save writes them: the end of
 * central directory record (zip64 when the archive needs it), the central directory, each member's local header
 * (for where its data starts). Nothing is decompressed: a compressed member is refused by name. Every problem is
 * an InputError naming the archive.
 */
import { InputError } from '../../../../shared/errors'
import { shown } from '../../../../shared/init-from'

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
/** The end record is 22 bytes plus a comment of at most 65535. */
const MAX_EOCD_SEARCH = 22 + 0xffff

/** One stored member: where its bytes lie in the archive. */
export interface StoredEntry {
  readonly name: string
  readonly offset: number
  readonly size: number
}

class Reader {
  readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  fail(problem: string): never {
    throw new InputError(this.source, `zip archive ${problem}`)
  }

  need(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length) this.fail(`is truncated (${what} at byte ${at} runs past the end, ${this.bytes.length} bytes)`)
  }

  u16(at: number): number {
    this.need(at, 2, 'a field')
    return this.view.getUint16(at, true)
  }

  u32(at: number): number {
    this.need(at, 4, 'a field')
    return this.view.getUint32(at, true)
  }

  u64(at: number): number {
    this.need(at, 8, 'a field')
    const v = this.view.getBigUint64(at, true)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`has a 64-bit field too large to be real (${v})`)
    return Number(v)
  }
}

/** Where the central directory lies and how many entries it lists. */
function centralDirectory(r: Reader): { offset: number; count: number } {
  const last = r.bytes.length - 22
  if (last < 0) r.fail('is truncated (shorter than its end record)')
  let eocd = -1
  for (let at = last; at >= Math.max(0, r.bytes.length - MAX_EOCD_SEARCH); at--) {
    if (r.view.getUint32(at, true) === EOCD_SIGNATURE) {
      eocd = at
      break
    }
  }
  if (eocd < 0) r.fail('has no end of central directory record (truncated?)')
  let count = r.u16(eocd + 10)
  let offset = r.u32(eocd + 16)
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || r.u32(locator) !== ZIP64_LOCATOR_SIGNATURE) r.fail('needs a zip64 end record but has none')
    const zip64 = r.u64(locator + 8)
    if (r.u32(zip64) !== ZIP64_EOCD_SIGNATURE) r.fail('has a zip64 locator that points at no zip64 end record')
    count = r.u64(zip64 + 32)
    offset = r.u64(zip64 + 48)
  }
  return { offset, count }
}

/** Sizes and offset of a central entry, taking 0xFFFFFFFF fields from its zip64 extra field. */
function zip64Fields(r: Reader, extraStart: number, extraLength: number, fields: { size: number; compressed: number; local: number }): void {
  let at = extraStart
  const end = extraStart + extraLength
  while (at + 4 <= end) {
    const id = r.u16(at)
    const length = r.u16(at + 2)
    if (id === 0x0001) {
      let p = at + 4
      for (const key of ['size', 'compressed', 'local'] as const) {
        if (fields[key] === 0xffffffff && p + 8 <= at + 4 + length) {
          fields[key] = r.u64(p)
          p += 8
        }
      }
      return
    }
    at += 4 + length
  }
}

/** The stored members of a zip archive by name; refuses compressed or encrypted members and any overrun. */
export function readStoredZip(bytes: Uint8Array, source: string): Map<string, StoredEntry> {
  const r = new Reader(bytes, source)
  const { offset, count } = centralDirectory(r)
  if (count > bytes.length / 46) r.fail(`lists ${count} entries, more than its size can hold`)
  const entries = new Map<string, StoredEntry>()
  let at = offset
  for (let i = 0; i < count; i++) {
    if (r.u32(at) !== CENTRAL_SIGNATURE) r.fail(`central directory entry ${i} at byte ${at} has a bad signature`)
    const flags = r.u16(at + 8)
    const method = r.u16(at + 10)
    const fields = { compressed: r.u32(at + 20), size: r.u32(at + 24), local: r.u32(at + 42) }
    const nameLength = r.u16(at + 28)
    const extraLength = r.u16(at + 30)
    const commentLength = r.u16(at + 32)
    r.need(at + 46, nameLength + extraLength, 'an entry name')
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength))
    const named = shown(name)
    zip64Fields(r, at + 46 + nameLength, extraLength, fields)
    if (flags & 0x1) r.fail(`member '${named}' is encrypted`)
    if (method !== 0) r.fail(`member '${named}' is compressed (method ${method}); torch.save stores its members uncompressed`)
    if (fields.compressed !== fields.size) r.fail(`member '${named}' is stored but its sizes differ (${fields.compressed} and ${fields.size})`)
    if (r.u32(fields.local) !== LOCAL_SIGNATURE) r.fail(`member '${named}' has no local header at byte ${fields.local}`)
    const dataStart = fields.local + 30 + r.u16(fields.local + 26) + r.u16(fields.local + 28)
    r.need(dataStart, fields.size, `member '${named}'`)
    if (entries.has(name)) r.fail(`lists member '${named}' twice`)
    entries.set(name, { name, offset: dataStart, size: fields.size })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}
