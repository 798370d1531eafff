/**
 * A weights file the user supplies, recognised by its first bytes (never its extension): safetensors (8-byte
 * header length, then a JSON object), or PyTorch's zip (`torch.save` since 1.6: .pth, .pt, .bin). Our own
 * checkpoints are read by checkpoint.ts; init-from.ts tells them apart.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { InputError } from '../../../../shared/errors'
import type { StateDictFile } from './file-tensor'
import { parseSafetensors } from './safetensors'
import { parseTorchZip } from './torch-zip'

export type WeightsFormat = 'checkpoint' | 'safetensors' | 'pytorch-zip' | 'pytorch-legacy' | 'unknown'

/** The format of a file from its first bytes. */
export function sniffWeightsFormat(head: Uint8Array): WeightsFormat {
  const text = (from: number, to: number): string => String.fromCharCode(...head.subarray(from, to))
  if (head.length >= 8 && text(0, 8) === 'SEGCKPT1') return 'checkpoint'
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'pytorch-zip'
  // safetensors: a little-endian u64 length, then the JSON header's opening brace.
  if (head.length >= 9 && head[8] === 0x7b && head[6] === 0 && head[7] === 0) return 'safetensors'
  // torch.save's format before 1.6 is a bare pickle (protocol 2: 0x80 0x02).
  if (head.length >= 2 && head[0] === 0x80 && head[1] === 0x02) return 'pytorch-legacy'
  return 'unknown'
}

/** Why `path` could not be opened or read, as an InputError naming it. */
function unreadable(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code
  return new InputError(path, code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`)
}

/** The first bytes of `path` (InputError naming it when it cannot be read). */
export function readHead(path: string, bytes = 16): Uint8Array {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw unreadable(path, e)
  }
  try {
    const head = new Uint8Array(bytes)
    const n = readSync(fd, head, 0, bytes, 0)
    return head.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

/** Parses a state-dict file's bytes by their format; anything else is an InputError naming `source`. */
export function parseWeightsFile(bytes: Uint8Array, source: string): StateDictFile {
  const format = sniffWeightsFormat(bytes.subarray(0, 16))
  switch (format) {
    case 'safetensors':
      return parseSafetensors(bytes, source)
    case 'pytorch-zip':
      return parseTorchZip(bytes, source)
    case 'pytorch-legacy':
      throw new InputError(source, "is in torch.save's format from before PyTorch 1.6 (a bare pickle), which is not read; re-save it with torch.save(state_dict, path) or as safetensors")
    case 'checkpoint':
      throw new InputError(source, 'is a workbench checkpoint, not a state dict (checkpoints are read by the checkpoint loader)')
    case 'unknown':
      throw new InputError(source, 'is neither a safetensors file, a PyTorch zip (.pth/.pt/.bin) nor a workbench checkpoint (unrecognised first bytes)')
  }
}

/** Reads a state dict saved as safetensors or by torch.save (zip); InputError naming `path` on any problem. */
export function readWeightsFile(path: string): StateDictFile {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (e) {
    throw unreadable(path, e)
  }
  return parseWeightsFile(bytes, path)
}
