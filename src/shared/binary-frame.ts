// A binary reply over HTTP: the output's JSON fields and its raw `voxels` bytes in one body, no base64 and no
// number arrays. Layout: "WBF1", u32 LE length of the JSON, the JSON (UTF-8), zero padding to a multiple of 8,
// then the bytes — the padding keeps a Float32Array / Int16Array view over the bytes aligned without a copy.

const magic = [0x57, 0x42, 0x46, 0x31] // "WBF1"
const headerFixed = 8

/** The two parts of a frame: the head to send first, the bytes to send after it (no concatenation copy). */
export function encodeFrame(value: { voxels: Uint8Array } & Record<string, unknown>): { head: Uint8Array; voxels: Uint8Array } {
  const { voxels, ...fields } = value
  const json = new TextEncoder().encode(JSON.stringify(fields))
  const padded = Math.ceil((headerFixed + json.length) / 8) * 8
  const head = new Uint8Array(padded)
  head.set(magic, 0)
  new DataView(head.buffer).setUint32(4, json.length, true)
  head.set(json, headerFixed)
  return { head, voxels }
}

/** Reads a frame back into the output object, `voxels` a view (not a copy) into the received buffer. */
export function decodeFrame(buffer: ArrayBuffer): Record<string, unknown> & { voxels: Uint8Array } {
  const bytes = new Uint8Array(buffer)
  if (bytes.length < headerFixed || magic.some((m, i) => bytes[i] !== m)) throw new Error('not a workbench binary frame')
  const length = new DataView(buffer).getUint32(4, true)
  if (headerFixed + length > bytes.length) throw new Error('truncated workbench binary frame')
  const fields: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(headerFixed, headerFixed + length)))
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error('a binary frame head must be a JSON object')
  const start = Math.ceil((headerFixed + length) / 8) * 8
  return { ...(fields as Record<string, unknown>), voxels: bytes.subarray(start) }
}
