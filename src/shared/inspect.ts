import { z } from 'zod'
import { InterpolationRunSchema } from './interpolation'
import { AxisSchema, Vec3Schema } from './volume'

/** The three voxel layers the inspector shows: the image, the dense human mask, the interpolated mask. */
export const inspectLayers = ['image', 'human', 'interpolated'] as const
export const InspectLayerSchema = z.enum(inspectLayers)
export type InspectLayer = z.infer<typeof InspectLayerSchema>

/** An interpolation run the inspector can open: enough to label it in a picker. */
export const InspectRunSummarySchema = InterpolationRunSchema.pick({ runId: true, planId: true, method: true, fusion: true, meanIoU: true, meanDice: true }).extend({
  /** How many volumes the run interpolated (the run's volume list is not sent for a picker). */
  volumes: z.number().int(),
  createdAt: z.string(),
})
export type InspectRunSummary = z.infer<typeof InspectRunSummarySchema>

/** How the voxel bytes are to be read (little-endian): the image keeps its stored type where a texture can take it. */
export const wireDtypes = ['uint8', 'int8', 'int16', 'uint16', 'float32'] as const
export const WireDtypeSchema = z.enum(wireDtypes)
export type WireDtype = z.infer<typeof WireDtypeSchema>

/**
 * One layer of one volume, voxels as raw bytes (i fastest). Bytes, not a number array: a 256³ mask is 16 MB
 * raw but ~50 MB and seconds of parsing as JSON. Over HTTP it travels as a binary frame (binary-frame.ts),
 * over Electron IPC as a Uint8Array by structured clone.
 */
export const LayerVoxelsSchema = z.object({
  runId: z.number().int(),
  volumeId: z.number().int(),
  layer: InspectLayerSchema,
  dims: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  spacing: Vec3Schema,
  sliceAxis: AxisSchema,
  dtype: WireDtypeSchema,
  /** Smallest and largest voxel value. */
  range: z.tuple([z.number(), z.number()]),
  /** A display window to start from: the 0.5th and 99.5th percentiles for the image, the label range for masks. */
  window: z.tuple([z.number(), z.number()]),
  // Any Uint8Array (Node's Buffer is one): z.instanceof would narrow the type to an ArrayBuffer-backed array.
  voxels: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'voxels must be bytes (a Uint8Array)'),
})
export type LayerVoxels = z.infer<typeof LayerVoxelsSchema>

/**
 * Channels whose output carries raw bytes in its `voxels` field. The browser-mode server answers them with a
 * binary frame instead of JSON, and the client decodes that frame; everything else about them is ordinary.
 */
export const binaryChannels: ReadonlySet<string> = new Set(['inspect:layer'])

/** True when a channel's output travels as a binary frame over HTTP. */
export function isBinaryChannel(channel: string): boolean {
  return binaryChannels.has(channel)
}
