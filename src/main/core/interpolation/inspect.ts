// What the interpolation inspector reads: the runs of a dataset it can open, and one voxel layer of one volume
// of a run (image, human mask, interpolated mask) as raw bytes with a display window to start from.
import { existsSync } from 'node:fs'
import { InputError } from '../../../shared/errors'
import type { InspectLayer, InspectRunSummary, LayerVoxels, WireDtype } from '../../../shared/inspect'
import type { InterpolationRun } from '../../../shared/interpolation'
import type { Volume, VoxelArray } from '../../../shared/volume'
import { requireDataset } from '../planning/plans'
import type { Db } from '../store/database'
import { getDatasetById } from '../store/datasets-repo'
import { getRun, listRuns } from '../store/runs-repo'
import { percentiles, readImageFile, readLabelFile } from '../volume'
import { getInterpolationRun } from './plan-run'

/** The finished interpolation runs of a dataset, newest first. */
export function listInspectableRuns(db: Db, dataset: string): InspectRunSummary[] {
  const { id } = requireDataset(db, dataset)
  return listRuns(db, { kind: 'interpolation' })
    .filter((r) => r.datasetId === id && r.status === 'done')
    .map((r) => {
      const config = r.config as { planId: number; method: InterpolationRun['method']; fusion: InterpolationRun['fusion'] }
      const result = (r.result ?? {}) as { meanIoU?: number; meanDice?: number; volumes?: number }
      return {
        runId: r.id,
        planId: config.planId,
        method: config.method,
        fusion: config.fusion ?? null,
        meanIoU: result.meanIoU ?? 0,
        meanDice: result.meanDice ?? 0,
        volumes: result.volumes ?? 0,
        createdAt: r.createdAt,
      }
    })
}

/** What readInspectLayer reads. */
export interface InspectLayerRequest {
  runId: number
  volumeId: number
  layer: InspectLayer
}

/** One voxel layer of one volume of a stored interpolation run, or an InputError naming what is missing. */
export function readInspectLayer(db: Db, request: InspectLayerRequest): LayerVoxels {
  const { runId, volumeId, layer } = request
  const run = getInterpolationRun(db, runId)
  const entry = run.volumes.find((v) => v.volumeId === volumeId)
  if (!entry) throw new InputError(`volume ${volumeId}`, `is not part of interpolation run ${runId}`)
  const datasetId = datasetIdOfRun(db, runId)
  const record = getDatasetById(db, datasetId)?.volumeRecords.find((v) => v.id === volumeId)
  if (!record) throw new InputError(`volume ${volumeId}`, 'its dataset no longer has this volume')
  const path = layer === 'image' ? record.imagePath : layer === 'human' ? record.labelPath : entry.maskPath
  if (!existsSync(path)) throw new InputError(path, `the ${layer} file of ${entry.volume} is missing; run the interpolation again`)
  const volume: Volume = layer === 'image' ? readImageFile(path) : readLabelFile(path)
  const dims = volume.header.dims
  if (dims.some((d, i) => d !== record.dims[i])) {
    throw new InputError(path, `has shape ${dims.join('×')} but ${entry.volume} is ${record.dims.join('×')}`)
  }
  const wire = toWireVoxels(volume.data)
  const window = layer === 'image' ? displayWindow(volume.data) : ([0, Math.max(1, wire.range[1])] as [number, number])
  return { runId, volumeId, layer, dims, spacing: volume.header.spacing, sliceAxis: record.sliceAxis, dtype: wire.dtype, range: wire.range, window, voxels: wire.voxels }
}

function datasetIdOfRun(db: Db, runId: number): number {
  const datasetId = getRun(db, runId)?.datasetId
  if (datasetId === undefined || datasetId === null) throw new InputError(`run ${runId}`, 'is not tied to a dataset')
  return datasetId
}

/**
 * The voxels as bytes in a type a WebGL texture takes: 8- and 16-bit integers stay as they are (no copy),
 * 32-bit integers and float64 become float32. Also the value range, found in the same pass.
 */
export function toWireVoxels(data: VoxelArray): { dtype: WireDtype; voxels: Uint8Array; range: [number, number] } {
  const dtype: WireDtype =
    data instanceof Uint8Array ? 'uint8' : data instanceof Int8Array ? 'int8' : data instanceof Int16Array ? 'int16' : data instanceof Uint16Array ? 'uint16' : 'float32'
  const typed = dtype === 'float32' && !(data instanceof Float32Array) ? Float32Array.from(data) : data
  let min = Infinity
  let max = -Infinity
  for (let p = 0; p < typed.length; p++) {
    const v = typed[p] as number
    if (v < min) min = v
    if (v > max) max = v
  }
  if (min > max) min = max = 0
  return { dtype, voxels: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), range: [min, max] }
}

/**
 * A display window from low and high percentiles of the intensities. At most `maxSamples` voxels, evenly
 * strided, are looked at: for a window the estimate is plenty, and a 256³ volume would otherwise cost a
 * 128 MB copy per request.
 */
export function displayWindow(data: VoxelArray, low = 0.5, high = 99.5, maxSamples = 1 << 20): [number, number] {
  const stride = Math.max(1, Math.ceil(data.length / maxSamples))
  const sample = new Float32Array(Math.ceil(data.length / stride))
  for (let p = 0, o = 0; p < data.length; p += stride) sample[o++] = data[p] as number
  const [lo = 0, hi = 0] = percentiles(sample, [low, high])
  if (!(hi > lo)) return [lo, lo + 1]
  return [lo, hi]
}
