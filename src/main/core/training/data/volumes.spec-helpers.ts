import type { Axis } from '../../../../shared/volume'
import type { TrainingVolume } from '../types'

/** Image value of voxel (i, j, k) of volume `tag`: 1 + i + 100 j + 10 000 k + 1 000 000 tag (exact in float32; 0 is padding). */
export function encode(i: number, j: number, k: number, tag = 0): number {
  return 1 + i + 100 * j + 10_000 * k + 1_000_000 * tag
}

/** Inverse of encode for a nonzero value. */
export function decode(value: number): { i: number; j: number; k: number; tag: number } {
  const v = value - 1
  return { i: v % 100, j: Math.floor(v / 100) % 100, k: Math.floor(v / 10_000) % 100, tag: Math.floor(v / 1_000_000) }
}

export interface VolumeSpec {
  dims: [number, number, number]
  sliceAxis?: Axis
  annotatedSlices?: number[]
  tag?: number
  /** Label of voxel (i, j, k); default 0. */
  label?: (i: number, j: number, k: number) => number
  /** Annotated mask; omitted = null (all annotated). */
  annotated?: (i: number, j: number, k: number) => boolean
}

/** A synthetic training volume whose image encodes each voxel's coordinates (see encode). */
export function codedVolume(spec: VolumeSpec): TrainingVolume {
  const [di, dj, dk] = spec.dims
  const n = di * dj * dk
  const image = new Float32Array(n)
  const labels = new Uint8Array(n)
  const annotated = spec.annotated ? new Uint8Array(n) : null
  for (let k = 0, p = 0; k < dk; k++)
    for (let j = 0; j < dj; j++)
      for (let i = 0; i < di; i++, p++) {
        image[p] = encode(i, j, k, spec.tag ?? 0)
        labels[p] = spec.label?.(i, j, k) ?? 0
        if (annotated && spec.annotated?.(i, j, k)) annotated[p] = 1
      }
  const sliceAxis = spec.sliceAxis ?? 2
  return {
    volumeId: spec.tag ?? 0,
    caseId: `case${spec.tag ?? 0}`,
    dims: spec.dims,
    sliceAxis,
    image,
    labels,
    annotated,
    annotatedSlices: spec.annotatedSlices ?? Array.from({ length: spec.dims[sliceAxis] }, (_, s) => s),
  }
}
