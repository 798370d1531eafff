import { EdtScratch, signedDistance } from './edt'

/**
 * Per-label signed distance maps of label slices, with the buffers they need, so the sdf and propagate
 * methods share one implementation and allocate per slice, not per pixel.
 */
export class LevelSets {
  readonly scratch = new EdtScratch()
  private readonly binary: Uint8Array
  private readonly work: { inside: Float64Array; outside: Float64Array }

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.binary = new Uint8Array(w * h)
    this.work = { inside: new Float64Array(w * h), outside: new Float64Array(w * h) }
  }

  /** Signed distance (positive inside) of a channel (a label, or FOREGROUND) in a label slice; undefined when absent. */
  of(mask: Uint8Array, channel: number): Float32Array | undefined {
    let any = false
    for (let p = 0; p < mask.length; p++) {
      const on = (channel === FOREGROUND ? mask[p] !== 0 : mask[p] === channel) ? 1 : 0
      this.binary[p] = on
      if (on) any = true
    }
    if (!any) return undefined
    const out = new Float32Array(this.w * this.h)
    signedDistance(this.binary, this.w, this.h, out, this.scratch, this.work)
    return out
  }
}

/** Largest value of a level set (the depth of its deepest inside pixel). */
export function maxOf(phi: Float32Array): number {
  let m = -Infinity
  for (let p = 0; p < phi.length; p++) if ((phi[p] as number) > m) m = phi[p] as number
  return m
}

/**
 * A channel standing for "any nonzero label". With several labels the foreground gets a level set of its own:
 * blending per-label level sets alone would open gaps along the borders between labels (both negative there).
 */
export const FOREGROUND = -1

/** The level-set channels for a set of labels: the labels themselves, preceded by FOREGROUND when there are several. */
export function channelsOf(labels: readonly number[]): number[] {
  return labels.length > 1 ? [FOREGROUND, ...labels] : [...labels]
}

/**
 * Label slice from per-channel level sets (channels as channelsOf gives them). One label: the pixels where its
 * level set is ≥ 0. Several: the pixels where the FOREGROUND level set is ≥ 0, each taking the label whose level
 * set is largest there. Undefined when no pixel is labelled. Ties at 0 count as inside: halfway between two
 * annotated slices a pixel just inside one mask and just outside the other (+½ and −½) is kept, which
 * measured 0.010 better foreground IoU at ρ = 0.4 and 0.8 on the 260 hippocampus volumes than dropping it.
 */
export function labelsFromLevelSets(phis: readonly (Float32Array | undefined)[], channels: readonly number[], size: number): Uint8Array | undefined {
  const fg = phis[0]
  if (!fg) return undefined
  const out = new Uint8Array(size)
  let any = false
  if (channels[0] !== FOREGROUND) {
    const label = channels[0] as number
    for (let p = 0; p < size; p++) {
      if ((fg[p] as number) >= 0) {
        out[p] = label
        any = true
      }
    }
    return any ? out : undefined
  }
  for (let p = 0; p < size; p++) {
    if ((fg[p] as number) < 0) continue
    let best = -Infinity
    let label = 0
    for (let c = 1; c < channels.length; c++) {
      const phi = phis[c]
      if (!phi) continue
      const v = phi[p] as number
      if (v > best) {
        best = v
        label = channels[c] as number
      }
    }
    if (label !== 0) {
      out[p] = label
      any = true
    }
  }
  return any ? out : undefined
}
