// Voxel layers in the renderer: typed views over the bytes the API sends, cached by run, volume and layer so
// switching views or coming back to a volume does not fetch it again. Stores hold ids; the voxels live here.
import { markRaw } from 'vue'
import type { InspectLayer, LayerVoxels, WireDtype } from '../../../shared/inspect'
import { api } from '../../api/client'

/** The typed arrays a layer's voxels are viewed as. */
export type LayerArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Float32Array

/** A layer ready to draw: the facts of LayerVoxels and the voxels as a typed array (i fastest). */
export interface LoadedLayer {
  runId: number
  volumeId: number
  layer: InspectLayer
  dims: [number, number, number]
  spacing: [number, number, number]
  sliceAxis: 0 | 1 | 2
  range: [number, number]
  window: [number, number]
  values: LayerArray
}

const bytesPer: Record<WireDtype, number> = { uint8: 1, int8: 1, int16: 2, uint16: 2, float32: 4 }

/** The voxels as their typed array: a view when the bytes are aligned (the usual case), else an aligned copy. */
export function typedVoxels(bytes: Uint8Array, dtype: WireDtype): LayerArray {
  const size = bytesPer[dtype]
  if (bytes.byteLength % size !== 0) throw new Error(`${bytes.byteLength} bytes are not a whole number of ${dtype} values`)
  // An IPC reply may be a view at an odd offset into a pooled buffer; typed views need aligned offsets.
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice()
  const { buffer, byteOffset } = aligned
  const n = bytes.byteLength / size
  switch (dtype) {
    case 'uint8':
      return aligned
    case 'int8':
      return new Int8Array(buffer, byteOffset, n)
    case 'int16':
      return new Int16Array(buffer, byteOffset, n)
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, n)
    case 'float32':
      return new Float32Array(buffer, byteOffset, n)
  }
}

/** A LayerVoxels reply as a LoadedLayer (checks that the byte count fits the shape). */
export function toLoadedLayer(reply: LayerVoxels): LoadedLayer {
  const values = typedVoxels(reply.voxels, reply.dtype)
  const [nx, ny, nz] = reply.dims
  if (values.length !== nx * ny * nz) throw new Error(`the ${reply.layer} layer has ${values.length} voxels, not ${nx}×${ny}×${nz}`)
  return {
    runId: reply.runId,
    volumeId: reply.volumeId,
    layer: reply.layer,
    dims: reply.dims,
    spacing: reply.spacing,
    sliceAxis: reply.sliceAxis,
    range: reply.range,
    window: reply.window,
    values: markRaw(values),
  }
}

/** Up to two volumes' three layers; the oldest goes first (a 256³ float image is 64 MB). */
const maxCached = 6
const cache = new Map<string, Promise<LoadedLayer>>()

/** One layer of one volume of a run, fetched once and then served from the cache. */
export function loadLayer(runId: number, volumeId: number, layer: InspectLayer): Promise<LoadedLayer> {
  const key = `${runId}/${volumeId}/${layer}`
  const hit = cache.get(key)
  if (hit) {
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const pending = api.invoke('inspect:layer', { runId, volumeId, layer }).then(toLoadedLayer)
  // A failed load is not kept, so trying again fetches again.
  pending.catch(() => cache.delete(key))
  cache.set(key, pending)
  while (cache.size > maxCached) {
    const oldest = cache.keys().next().value
    if (oldest === undefined) break
    cache.delete(oldest)
  }
  return pending
}
