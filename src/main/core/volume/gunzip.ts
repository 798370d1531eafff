import { constants as bufferConstants } from 'node:buffer'
import { gunzipSync } from 'node:zlib'
import { InputError } from '../../../shared/errors'

/** True when bytes start with the gzip magic 1f 8b (the file's name is not trusted). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** Deflate cannot expand more than ~1032:1, so a larger ISIZE claim is corrupt and must not size an allocation. */
const MAX_DEFLATE_RATIO = 1032

/**
 * Decompresses a gzip file into one fresh buffer (byteOffset 0, so typed-array views on it are aligned).
 *
 * Why the chunkSize: by default zlib inflates into 16 KiB chunks and concatenates them at the end, which
 * costs a second full copy of the output. The gzip trailer's ISIZE is the uncompressed size (mod 2³²) of
 * the last member; sizing the output chunk one byte above it lets zlib inflate straight into the final
 * buffer. A wrong ISIZE (multi-member files, > 4 GiB) only costs the usual concatenation, never correctness.
 */
export function gunzipBytes(bytes: Uint8Array, source: string): Uint8Array {
  const n = bytes.length
  const isize = n >= 18 ? ((bytes[n - 4] as number) | ((bytes[n - 3] as number) << 8) | ((bytes[n - 2] as number) << 16) | ((bytes[n - 1] as number) << 24)) >>> 0 : 0
  const cap = Math.min(n * MAX_DEFLATE_RATIO + 1024, bufferConstants.MAX_LENGTH - 1)
  const chunkSize = Math.max(64 * 1024, Math.min(isize + 1, cap))
  try {
    return gunzipSync(bytes, { chunkSize })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InputError(source, `corrupt or truncated gzip data (${reason})`)
  }
}
