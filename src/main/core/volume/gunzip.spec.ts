import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../../shared/errors'
import { gunzipBytes, isGzip } from './gunzip'

const payload = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251)
// Byte-wise comparison: vitest's deep toEqual on 200 000 elements takes about half a second.
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

describe('isGzip', () => {
  it('looks at the magic bytes only', () => {
    expect(isGzip(gzipSync(payload))).toBe(true)
    expect(isGzip(payload)).toBe(false)
    expect(isGzip(Uint8Array.from([0x1f]))).toBe(false)
  })
})

describe('gunzipBytes', () => {
  it('returns the payload in one buffer starting at byteOffset 0 (aligned for any typed array)', () => {
    const out = gunzipBytes(gzipSync(payload), 'x.gz')
    expect(same(out, payload)).toBe(true)
    expect(out.byteOffset).toBe(0)
  })

  it('handles multi-member files, where the trailer ISIZE is only the last member’s size', () => {
    const a = gzipSync(payload.subarray(0, 150_000))
    const b = gzipSync(payload.subarray(150_000))
    const both = new Uint8Array(a.length + b.length)
    both.set(a)
    both.set(b, a.length)
    expect(same(gunzipBytes(both, 'x.gz'), payload)).toBe(true)
  })

  it('turns a wrong trailer (absurd ISIZE) into an InputError without a huge allocation', () => {
    const gz = gzipSync(payload).slice()
    gz.set([0xff, 0xff, 0xff, 0x7f], gz.length - 4)
    expect(() => gunzipBytes(gz, 'x.gz')).toThrow(InputError)
    expect(() => gunzipBytes(gz, 'x.gz')).toThrow(/x\.gz: corrupt or truncated gzip/)
  })

  it('handles tiny inputs', () => {
    expect(gunzipBytes(gzipSync(new Uint8Array(0)), 'x.gz').length).toBe(0)
    expect(() => gunzipBytes(Uint8Array.from([0x1f, 0x8b]), 'x.gz')).toThrow(InputError)
  })
})
