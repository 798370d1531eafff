import { resolve } from 'node:path'
import type { VolumeHeader } from '../../../shared/volume'
import { readImageFile, sliceCount, type ReadOptions } from '../volume'

/** A NIfTI / Analyze file's header facts plus the value range of the frame read, as `workbench info FILE` reports them. */
export type VolumeFileFacts = VolumeHeader & { file: string; slices: number; min: number; max: number }

/** Reads a volume file (one frame of it: the first unless `choice` names another) and describes it. */
export function describeVolumeFile(path: string, choice: ReadOptions = {}): VolumeFileFacts {
  const volume = readImageFile(path, choice)
  let min = Infinity
  let max = -Infinity
  for (const v of volume.data) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return {
    file: resolve(path),
    ...volume.header,
    slices: sliceCount(volume.header.dims, volume.header.sliceAxis),
    min,
    max,
  }
}

/** "3 volumes" / "1 volume", and a count range "5" / "5–12". */
const volumes = (n: number): string => `${n} volume${n === 1 ? '' : 's'}`
const range = (counts: number[]): string => {
  const [least, most] = [Math.min(...counts), Math.max(...counts)]
  return least === most ? `${least}` : `${least}–${most}`
}

/**
 * What reading the files of an import did that its user should be told, one line each, from the headers of the
 * volumes read (images and labels): which frame / channel of multi-frame files was taken, colour turned into
 * grey, Analyze orientation. Empty when every file was a plain 3D image read as it is.
 */
export function describeReading(headers: readonly VolumeHeader[]): string[] {
  const notes: string[] = []
  const frames = headers.filter((h) => (h.frames ?? 1) > 1)
  if (frames.length > 0) {
    const frame = frames[0]?.frame ?? 0
    notes.push(`read frame ${frame} of ${range(frames.map((h) => h.frames ?? 1))} in ${volumes(frames.length)} with several frames (--frame N picks another)`)
  }
  const channels = headers.filter((h) => (h.channels ?? 1) > 1)
  if (channels.length > 0) {
    const channel = channels[0]?.channel ?? 0
    notes.push(`read channel ${channel} of ${range(channels.map((h) => h.channels ?? 1))} in ${volumes(channels.length)} with several channels (--channel N picks another)`)
  }
  const rgb = headers.filter((h) => h.storedDtype === 'rgb24').length
  if (rgb > 0) notes.push(`${volumes(rgb)} stored as rgb24 read as luminance 0.299 R + 0.587 G + 0.114 B`)
  const analyze = headers.filter((h) => h.format === 'analyze').length
  if (analyze > 0) notes.push(`${volumes(analyze)} in Analyze 7.5 format: orientation from the voxel sizes, x flipped and centred, as nibabel reads it`)
  return notes
}
