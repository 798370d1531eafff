import { InputError } from '../../../shared/errors'
import type { RawNiftiHeader } from './nifti-header'
import type { Dims } from './slice-axis'

/** Which 3D frame of a 4D+ file to read. */
export interface FrameChoice {
  /** Index along dim[4] (time, or whatever a 4D file stacks); default 0. */
  frame?: number
  /** Index along dims 5–7 (channels: vector components, multi-echo…), flattened first-fastest; default 0. */
  channel?: number
  /**
   * A file with a single frame (or channel) is read whatever index is asked: a 3D label serves every frame of its
   * 4D image. Off, an index beyond a single frame is refused like any other.
   */
  oneServesAll?: boolean
}

/** How a file's voxels split into 3D frames: the 3D shape, the frame and channel counts, the whole shape. */
export interface FrameLayout {
  dims: Dims
  frames: number
  channels: number
  /** dim[1..dim[0]], for messages. */
  shape: number[]
}

/** The 3D frame layout of a header: missing trailing dims are 1; every dim up to dim[0] must be at least 1. */
export function frameLayout(raw: RawNiftiHeader, source: string): FrameLayout {
  const ndim = raw.dim[0] as number
  if (!(ndim >= 1 && ndim <= 7)) throw new InputError(source, `corrupt header: dim[0] is ${ndim}, expected 1 to 7`)
  const dim = (n: number) => (n <= ndim ? (raw.dim[n] as number) : 1)
  for (let n = 1; n <= ndim; n++) {
    if (dim(n) < 1) throw new InputError(source, `corrupt header: dim[${n}] is ${dim(n)}, every dimension must be at least 1`)
  }
  return {
    dims: [dim(1), dim(2), dim(3)],
    frames: dim(4),
    channels: dim(5) * dim(6) * dim(7),
    shape: raw.dim.slice(1, ndim + 1),
  }
}

/** The frame and channel to read, and which 3D block of the file that is (frames run fastest). */
export function chooseFrame(layout: FrameLayout, choice: FrameChoice, source: string): { frame: number; channel: number; block: number } {
  const pick = (asked: number | undefined, count: number, what: 'frame' | 'channel', where: string): number => {
    const index = asked ?? 0
    if (!Number.isInteger(index) || index < 0) throw new InputError(source, `the ${what} to read must be a whole number ≥ 0, got ${index}`)
    if (index < count) return index
    if (count === 1 && choice.oneServesAll) return 0
    const shape = layout.shape.join('×')
    throw new InputError(source, `has ${count} ${what}${count === 1 ? '' : 's'} ${where} (shape ${shape}); ${what} ${index} does not exist, choose ${count === 1 ? '0, the only one' : `0–${count - 1}`}`)
  }
  const frame = pick(choice.frame, layout.frames, 'frame', 'along dim 4')
  const channel = pick(choice.channel, layout.channels, 'channel', 'along dims 5–7')
  return { frame, channel, block: frame + layout.frames * channel }
}
