// Browser mode's reply for channels whose output carries raw voxel bytes (shared/inspect.ts binaryChannels):
// one binary frame (shared/binary-frame.ts) written in two pieces, so a 64 MB volume is never copied or
// turned into JSON.
import type { ServerResponse } from 'node:http'
import { encodeFrame } from '../../shared/binary-frame'

/** Content type of a binary frame. */
export const binaryFrameType = 'application/vnd.workbench.frame'

/** Sends a channel's output as a binary frame; the output must hold its bytes in a Uint8Array `voxels`. */
export function sendBinaryReply(res: ServerResponse, value: unknown): void {
  if (typeof value !== 'object' || value === null || !((value as { voxels?: unknown }).voxels instanceof Uint8Array)) {
    throw new Error('a binary channel returned no voxels bytes')
  }
  const { head, voxels } = encodeFrame(value as { voxels: Uint8Array } & Record<string, unknown>)
  res.statusCode = 200
  res.setHeader('Content-Type', binaryFrameType)
  res.setHeader('Content-Length', head.length + voxels.length)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.write(head)
  res.end(voxels)
}
