/**
 * Checkpoints: one binary file per save, written atomically (a temp file in the same folder, then a
 * rename), so a crash never leaves a half-written checkpoint under the real name.
 *
 * Layout (little-endian):
 *   8 bytes   magic "SEGCKPT1"
 *   4 bytes   uint32 byte length H of the header
 *   H bytes   UTF-8 JSON header: format, model config, inChannels, numClasses, tensors (group, name, shape,
 *             offset in floats into the data section), dataBytes, sha256 (hex, of the data section), meta
 *   rest      float32 data section, tensors back to back
 * Reading validates every part before returning, and loading checks the net against the header before
 * any variable is assigned: a bad checkpoint is an InputError and leaves the net untouched.
 */
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { endianness } from 'node:os'
import { basename, dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { InputError } from '../../../shared/errors'
import { describeModelConfig, modelConfigDifferences } from '../../../shared/model-catalogue'
import { ModelConfigSchema, type ModelConfig } from '../../../shared/training'
import type { SegmentationNet } from './types'

const MAGIC = 'SEGCKPT1'
const PREFIX_BYTES = MAGIC.length + 4

export const checkpointGroups = ['weight', 'state', 'slot'] as const
export type CheckpointGroup = (typeof checkpointGroups)[number]

const TensorEntrySchema = z.object({
  group: z.enum(checkpointGroups),
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
})
export type CheckpointTensorEntry = z.infer<typeof TensorEntrySchema>

const HeaderSchema = z.object({
  format: z.literal(1),
  model: ModelConfigSchema,
  inChannels: z.number().int().positive(),
  numClasses: z.number().int().positive(),
  tensors: z.array(TensorEntrySchema),
  dataBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  meta: z.record(z.string(), z.unknown()),
})
export type CheckpointHeader = z.infer<typeof HeaderSchema>

/** A validated checkpoint: its header and each tensor's values by group and name. */
export interface Checkpoint {
  readonly header: CheckpointHeader
  readonly weights: ReadonlyMap<string, Float32Array>
  readonly state: ReadonlyMap<string, Float32Array>
  readonly slots: ReadonlyMap<string, Float32Array>
}

/** A net that knows its model config (what buildModel returns). */
export type CheckpointableNet = SegmentationNet & { readonly config: ModelConfig }

export interface SaveCheckpointInput {
  readonly net: CheckpointableNet
  /** Optimiser slot variables by name (restored by the optimiser, not by loadCheckpointInto). */
  readonly optimizerSlots?: ReadonlyMap<string, tf.Variable>
  /** Anything JSON-serialisable the caller wants kept (run id, step, config). */
  readonly meta: Record<string, unknown>
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Typed arrays share the machine's byte order: on little-endian machines bytes are copied as they are. */
const LITTLE_ENDIAN = endianness() === 'LE'

/** Writes float32 values little-endian into `out` at byte `at`. */
function putFloats(out: Buffer, at: number, values: Float32Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at)
    return
  }
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i] as number, at + 4 * i)
}

/** Reads `size` little-endian float32 values from `data` at byte `at` into a new array. */
function takeFloats(data: Buffer, at: number, size: number): Float32Array {
  const values = new Float32Array(size)
  if (LITTLE_ENDIAN) {
    new Uint8Array(values.buffer).set(data.subarray(at, at + 4 * size))
    return values
  }
  for (let i = 0; i < size; i++) values[i] = data.readFloatLE(at + 4 * i)
  return values
}

let tempCounter = 0

/**
 * Writes the checkpoint of `net` (weights, state, optional optimiser slots) to `path` atomically. Values
 * are read asynchronously (webgpu cannot read synchronously in Node); every value is read before the file
 * is opened, so a GPU fault while reading leaves no file behind.
 */
export async function saveCheckpoint(path: string, input: SaveCheckpointInput): Promise<void> {
  const { net } = input
  const groups: [CheckpointGroup, ReadonlyMap<string, tf.Variable>][] = [
    ['weight', net.weights],
    ['state', net.state],
    ['slot', input.optimizerSlots ?? new Map()],
  ]
  const tensors: CheckpointTensorEntry[] = []
  const chunks: Float32Array[] = []
  let offset = 0
  for (const [group, vars] of groups) {
    for (const [name, v] of vars) {
      const values = await v.data()
      if (!(values instanceof Float32Array)) throw new Error(`checkpoint: variable '${name}' is ${v.dtype}, only float32 is stored`)
      tensors.push({ group, name, shape: [...v.shape], offset })
      chunks.push(values)
      offset += values.length
    }
  }
  const data = Buffer.alloc(offset * 4)
  let at = 0
  for (const chunk of chunks) {
    putFloats(data, at, chunk)
    at += chunk.byteLength
  }
  const header: CheckpointHeader = {
    format: 1,
    model: { ...net.config },
    inChannels: net.inChannels,
    numClasses: net.numClasses,
    tensors,
    dataBytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    meta: input.meta,
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const prefix = Buffer.alloc(PREFIX_BYTES)
  prefix.write(MAGIC, 0, 'latin1')
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length)

  mkdirSync(dirname(path), { recursive: true })
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`)
  const fd = openSync(temp, 'w')
  try {
    for (const part of [prefix, headerBytes, data]) writeSync(fd, part)
    fsyncSync(fd)
    closeSync(fd)
    renameSync(temp, path)
  } catch (e) {
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
    rmSync(temp, { force: true })
    throw e
  }
}

/** Reads and validates a checkpoint file; every problem is an InputError naming `path`. */
export function readCheckpoint(path: string): Checkpoint {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(path, code === 'ENOENT' ? 'checkpoint file not found' : `cannot read the checkpoint (${code ?? String(e)})`)
  }
  if (bytes.length < PREFIX_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new InputError(path, 'not a checkpoint of this workbench (bad magic bytes)')
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length)
  if (PREFIX_BYTES + headerLength > bytes.length) throw new InputError(path, 'checkpoint is truncated (the header is incomplete)')
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength))
  } catch {
    throw new InputError(path, 'checkpoint header is not valid JSON')
  }
  const parsed = HeaderSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(path, `checkpoint header is invalid (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem'})`)
  }
  const header = parsed.data
  const dataStart = PREFIX_BYTES + headerLength
  const data = bytes.subarray(dataStart)
  if (data.length < header.dataBytes) throw new InputError(path, `checkpoint is truncated (${data.length} of ${header.dataBytes} data bytes)`)
  if (data.length > header.dataBytes) throw new InputError(path, `checkpoint has ${data.length - header.dataBytes} unexpected trailing bytes`)
  if (createHash('sha256').update(data).digest('hex') !== header.sha256) throw new InputError(path, 'checkpoint data is corrupt (checksum mismatch)')

  const maps: Record<CheckpointGroup, Map<string, Float32Array>> = { weight: new Map(), state: new Map(), slot: new Map() }
  const floats = header.dataBytes / 4
  for (const entry of header.tensors) {
    const size = sizeOf(entry.shape)
    if (entry.offset + size > floats) throw new InputError(path, `checkpoint tensor '${entry.name}' lies outside the data section`)
    if (maps[entry.group].has(entry.name)) throw new InputError(path, `checkpoint lists the ${entry.group} '${entry.name}' twice`)
    maps[entry.group].set(entry.name, takeFloats(data, entry.offset * 4, size))
  }
  return { header, weights: maps.weight, state: maps.state, slots: maps.slot }
}

/**
 * Why the checkpoint's model is not this run's, or null when it is: every field the kind reads is compared on both
 * resolved configs (SegResNet's blocks, UNETR's ViT and image size, SegFormer's size, not only the U-Net's four), and
 * the refusal names the fields that differ.
 */
function modelMismatch(checkpoint: ModelConfig, run: ModelConfig): string | null {
  const differences = modelConfigDifferences(checkpoint, run)
  if (differences.length === 0) return null
  return `checkpoint is of a different model (${differences.join('; ')}): the checkpoint's is ${describeModelConfig(checkpoint)}; this run's ${describeModelConfig(run)}`
}

/**
 * Assigns the checkpoint's weights and state to `net`. Refuses (InputError naming `path`, nothing assigned)
 * a checkpoint of another model config, channel or class count, or whose tensor names or shapes differ.
 */
export function loadCheckpointInto(net: CheckpointableNet, checkpoint: Checkpoint, path: string): void {
  const { header } = checkpoint
  const mismatch = modelMismatch(header.model, net.config)
  if (mismatch) throw new InputError(path, mismatch)
  if (header.inChannels !== net.inChannels) throw new InputError(path, `checkpoint has ${header.inChannels} input channels, this run ${net.inChannels}`)
  if (header.numClasses !== net.numClasses) throw new InputError(path, `checkpoint has ${header.numClasses} classes, this run ${net.numClasses}`)
  const shapes = new Map(header.tensors.map((t) => [`${t.group}:${t.name}`, t.shape]))
  const pairs: [tf.Variable, Float32Array][] = []
  for (const [group, vars, values] of [
    ['weight', net.weights, checkpoint.weights],
    ['state', net.state, checkpoint.state],
  ] as const) {
    for (const [name, v] of vars) {
      const stored = values.get(name)
      const shape = shapes.get(`${group}:${name}`)
      if (!stored || !shape) throw new InputError(path, `checkpoint lacks the ${group} '${name}'`)
      if (shape.length !== v.shape.length || shape.some((s, i) => s !== v.shape[i])) {
        throw new InputError(path, `checkpoint ${group} '${name}' has shape [${shape.join(', ')}], the net [${v.shape.join(', ')}]`)
      }
      pairs.push([v, stored])
    }
    for (const name of values.keys()) {
      if (!vars.has(name)) throw new InputError(path, `checkpoint has a ${group} '${name}' that the net does not`)
    }
  }
  for (const [v, values] of pairs) {
    const t = tf.tensor(values, v.shape)
    v.assign(t)
    t.dispose()
  }
}
