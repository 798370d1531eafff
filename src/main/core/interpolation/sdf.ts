import { channelsOf, labelsFromLevelSets, LevelSets, maxOf } from './level-sets'
import type { SliceMasks, SliceStack } from './types'

/**
 * Linear blend of two level sets at fraction t from `a` toward `b`. A side where the label is absent closes
 * the object: it counts as the constant −max(other side), so the blend vanishes exactly halfway.
 */
export function blendLevelSets(a: Float32Array | undefined, b: Float32Array | undefined, t: number, size: number): Float32Array | undefined {
  if (!a && !b) return undefined
  const out = new Float32Array(size)
  const ca = a ? 0 : -maxOf(b as Float32Array)
  const cb = b ? 0 : -maxOf(a as Float32Array)
  for (let p = 0; p < size; p++) {
    const va = a ? (a[p] as number) : ca
    const vb = b ? (b[p] as number) : cb
    out[p] = (1 - t) * va + t * vb
  }
  return out
}

/**
 * Shape-based interpolation (Raya & Udupa; Herman et al.): per label, the signed distance maps of the two
 * annotated slices that bracket a slice are blended linearly by position; a pixel takes the label with the
 * largest blend, where the foreground's own blend is positive (see channelsOf). Slices beyond the outermost annotated slices stay 0: there is nothing to blend.
 */
export function interpolateSdf(stack: SliceStack): SliceMasks {
  const { w, h, n, annotated } = stack
  const channels = channelsOf(stack.labels)
  const size = w * h
  const sets = new LevelSets(w, h)
  const out: SliceMasks = new Array(n)
  let prev: (Float32Array | undefined)[] | undefined
  for (let j = 0; j < annotated.length; j++) {
    const b = annotated[j] as number
    const mask = stack.mask(b)
    out[b] = mask
    const cur = channels.map((c) => sets.of(mask, c))
    if (prev && j > 0) {
      const a = annotated[j - 1] as number
      for (let i = a + 1; i < b; i++) {
        stack.checkAbort()
        const t = (i - a) / (b - a)
        const phis = channels.map((_, c) => blendLevelSets(prev?.[c], cur[c], t, size))
        out[i] = labelsFromLevelSets(phis, channels, size)
        stack.tick()
      }
    }
    prev = cur
    stack.tick()
  }
  return out
}
