import { bilinear, invertField, registerSlices, type Field } from './flow'
import { channelsOf, FOREGROUND, labelsFromLevelSets, LevelSets } from './level-sets'
import { blendLevelSets } from './sdf'
import type { PropagateOptions, SliceMasks, SliceStack } from './types'

/** Level sets of every label of the stack on one slice (undefined: label absent there). */
type Phis = (Float32Array | undefined)[]

/** Intensity statistics of one label on its annotated slice: what "the object" looks like. */
interface LabelModel {
  mean: number
  std: number
  area: number
}

/** The defaults of PropagateOptions. */
export const propagateDefaults: Required<PropagateOptions> = {
  fusion: 'weighted',
  minPixels: 4,
  minAreaRatio: 0.1,
  maxIntensityShift: 1.5,
  flowIterations: 6,
  flowSmoothing: 0.75,
  intensityWeight: 0.5,
  fusionPower: 2,
  maxFlowSize: 96,
}

/** Statistics of the image under a channel, a label or FOREGROUND (mean, std, pixel count). */
export function labelModel(image: Float32Array, mask: Uint8Array, channel: number): LabelModel {
  let n = 0
  let s = 0
  let s2 = 0
  for (let p = 0; p < mask.length; p++) {
    if (channel === FOREGROUND ? mask[p] === 0 : mask[p] !== channel) continue
    const v = image[p] as number
    n++
    s += v
    s2 += v * v
  }
  const mean = n > 0 ? s / n : 0
  return { mean, std: n > 0 ? Math.sqrt(Math.max(0, s2 / n - mean * mean)) : 0, area: n }
}

/**
 * The stopping rule, "slice contains the object": the propagated label keeps at least minPixels pixels and at
 * least minAreaRatio of its annotated area, and the mean intensity under it stays within maxIntensityShift
 * standard deviations (floored at 0.25 of the volume's) of the annotated mean. Where the structure ends the
 * warped mask either collapses or lands on tissue that looks different, and the front stops there.
 */
export function containsObject(phi: Float32Array, image: Float32Array, model: LabelModel, o: Required<PropagateOptions>): boolean {
  let n = 0
  let s = 0
  for (let p = 0; p < phi.length; p++) {
    if ((phi[p] as number) < 0) continue
    n++
    s += image[p] as number
  }
  if (n < o.minPixels || n < o.minAreaRatio * model.area) return false
  return Math.abs(s / n - model.mean) <= o.maxIntensityShift * Math.max(model.std, 0.25)
}

/** A rectangle of a slice, inclusive bounds. */
interface Region {
  x0: number
  y0: number
  x1: number
  y1: number
}

/**
 * Where registration runs: the bounding box of the foreground of all annotated slices, grown by 4 pixels plus
 * 15 % of its size so a structure that drifts beyond the annotated extent stays inside. One region per
 * volume lets every slice pair be registered once and reused by all fronts, in both directions.
 */
export function registrationRegion(masks: readonly Uint8Array[], w: number, h: number): Region {
  let x0 = w
  let y0 = h
  let x1 = -1
  let y1 = -1
  for (const mask of masks) {
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++, p++) {
        if (mask[p] === 0) continue
        if (x < x0) x0 = x
        if (x > x1) x1 = x
        if (y < y0) y0 = y
        if (y > y1) y1 = y
      }
    }
  }
  const m = Math.ceil(4 + 0.15 * Math.max(x1 - x0 + 1, y1 - y0 + 1))
  return { x0: Math.max(0, x0 - m), y0: Math.max(0, y0 - m), x1: Math.min(w - 1, x1 + m), y1: Math.min(h - 1, y1 + m) }
}

function crop(img: Float32Array, w: number, r: Region): Float32Array {
  const cw = r.x1 - r.x0 + 1
  const out = new Float32Array(cw * (r.y1 - r.y0 + 1))
  for (let y = r.y0, o = 0; y <= r.y1; y++, o += cw) out.set(img.subarray(y * w + r.x0, y * w + r.x1 + 1), o)
  return out
}

/**
 * mask_prop of Algorithm 1 for one step: carries every channel's level set from slice `from` to its neighbour
 * `to` along the demons displacement field between the two slices (around the object only), lets the target's
 * intensities nudge the boundary, and keeps a channel only while the stopping rule holds.
 */
export class MaskPropagator {
  /** Field of the pair (i, i+1), keyed by i: slice i+1 at x matches slice i at x + u(x). */
  private readonly fields = new Map<number, Field>()
  private readonly inverses = new Map<number, Field>()
  private readonly region: Region

  constructor(
    private readonly stack: SliceStack,
    private readonly o: Required<PropagateOptions>,
  ) {
    this.region = registrationRegion(
      stack.annotated.map((a) => stack.mask(a)),
      stack.w,
      stack.h,
    )
  }

  /**
   * The field that maps slice `to` onto its neighbour `from`. Each pair is registered once (lower slice as
   * source) and inverted for the other direction, so the two fronts that cross a gap share the work.
   */
  private field(from: number, to: number): Field {
    const lo = Math.min(from, to)
    let f = this.fields.get(lo)
    if (!f) {
      const { w } = this.stack
      const r = this.region
      f = registerSlices(crop(this.stack.image(lo), w, r), crop(this.stack.image(lo + 1), w, r), r.x1 - r.x0 + 1, r.y1 - r.y0 + 1, {
        iterations: this.o.flowIterations,
        smoothing: this.o.flowSmoothing,
        maxSize: this.o.maxFlowSize,
      })
      this.fields.set(lo, f)
    }
    if (to > from) return f
    let inv = this.inverses.get(lo)
    if (!inv) this.inverses.set(lo, (inv = invertField(f)))
    return inv
  }

  step(from: number, to: number, phis: Phis, models: readonly (LabelModel | undefined)[]): Phis {
    const { w, h } = this.stack
    const r = this.region
    const tgt = this.stack.image(to)
    const field = this.field(from, to)
    const cw = r.x1 - r.x0 + 1
    const ch = r.y1 - r.y0 + 1
    const next = phis.map((phi, l) => {
      const model = models[l]
      if (!phi || !model) return undefined
      // Outside the region the level set is far from its 0-level: carrying it over unchanged is harmless.
      const out = phi.slice()
      const { ux, uy } = field
      for (let y = 0, q = 0; y < ch; y++) {
        const row = (y + r.y0) * w + r.x0
        for (let x = 0; x < cw; x++, q++) out[row + x] = bilinear(phi, w, h, x + r.x0 + (ux[q] as number), y + r.y0 + (uy[q] as number))
      }
      if (this.o.intensityWeight > 0) this.reshape(out, tgt, model)
      return containsObject(out, tgt, model, this.o) ? out : undefined
    })
    // The first channel is the object as a whole (the foreground, or the only label): without it nothing is left.
    return next[0] ? next : next.map(() => undefined)
  }

  /**
   * Within two pixels of the boundary, raises the level set by up to intensityWeight where the pixel looks like
   * the annotated object (intensity near its mean) and lowers it where it does not (2 std away or more), so the
   * boundary snaps back to the anatomy each step instead of accumulating registration drift.
   */
  private reshape(phi: Float32Array, img: Float32Array, model: LabelModel): void {
    const sd = Math.max(model.std, 0.25)
    const k = this.o.intensityWeight
    for (let p = 0; p < phi.length; p++) {
      const v = phi[p] as number
      if (v < -2 || v > 2) continue
      const z = ((img[p] as number) - model.mean) / sd
      // +1 for a pixel at the object's mean, −1 at 2 std away and beyond.
      const score = Math.max(-1, 1 - 0.5 * z * z)
      phi[p] = v + k * score
    }
  }
}

/**
 * Algorithm 1 of Zhang, Kramer & Mazurowski: masks propagate slice by slice from every annotated slice while
 * the slice "contains the object" (see containsObject); slices no front reaches stay 0. `fusion: 'first'`
 * gives a slice to the first front to reach it (breadth first from all annotated slices, ties to the lower
 * annotated index, as the queue holds them in ascending order); 'weighted' runs each front to the next
 * annotated slice and blends the two fronts' level sets by inverse distance (see fusionPower), mixed with the
 * shape-based blend in short gaps (see withShape). Beyond the outermost annotated slices both use the one front.
 */
export function interpolatePropagate(stack: SliceStack, options: PropagateOptions): SliceMasks {
  const o = { ...propagateDefaults, ...options }
  const { w, h, annotated } = stack
  const channels = channelsOf(stack.labels)
  const sets = new LevelSets(w, h)
  const start = new Map<number, { phis: Phis; models: (LabelModel | undefined)[] }>()
  for (const a of annotated) {
    const mask = stack.mask(a)
    const img = stack.image(a)
    start.set(a, {
      phis: channels.map((c) => sets.of(mask, c)),
      models: channels.map((c) => {
        const m = labelModel(img, mask, c)
        return m.area > 0 ? m : undefined
      }),
    })
  }
  const prop = new MaskPropagator(stack, o)
  return o.fusion === 'first' ? firstCome(stack, channels, start, prop) : weighted(stack, channels, start, prop, o)
}

type Starts = Map<number, { phis: Phis; models: (LabelModel | undefined)[] }>

function firstCome(stack: SliceStack, channels: number[], start: Starts, prop: MaskPropagator): SliceMasks {
  const { n, w, h } = stack
  const out: SliceMasks = new Array(n)
  const state = new Map<number, { phis: Phis; models: (LabelModel | undefined)[] }>()
  const queue: number[] = []
  for (const a of stack.annotated) {
    out[a] = stack.mask(a)
    state.set(a, start.get(a) as { phis: Phis; models: (LabelModel | undefined)[] })
    queue.push(a)
    stack.tick()
  }
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head] as number
    const s = state.get(i) as { phis: Phis; models: (LabelModel | undefined)[] }
    for (const j of [i - 1, i + 1]) {
      if (j < 0 || j >= n || state.has(j)) continue
      stack.checkAbort()
      const phis = prop.step(i, j, s.phis, s.models)
      if (!phis[0]) continue
      state.set(j, { phis, models: s.models })
      out[j] = labelsFromLevelSets(phis, channels, w * h)
      queue.push(j)
      stack.tick()
    }
  }
  return out
}

/** One front from annotated slice a, stepping by dir until `stop` (exclusive) or until no label survives. */
function runFront(stack: SliceStack, prop: MaskPropagator, a: number, dir: 1 | -1, stop: number, s: { phis: Phis; models: (LabelModel | undefined)[] }, into: (Phis | undefined)[]): void {
  let phis = s.phis
  for (let i = a + dir; i !== stop; i += dir) {
    stack.checkAbort()
    phis = prop.step(i - dir, i, phis, s.models)
    if (!phis[0]) return
    into[i] = phis
  }
}

function weighted(stack: SliceStack, channels: number[], start: Starts, prop: MaskPropagator, o: Required<PropagateOptions>): SliceMasks {
  const { n, w, h, annotated } = stack
  const size = w * h
  const out: SliceMasks = new Array(n)
  const up: (Phis | undefined)[] = new Array(n)
  const down: (Phis | undefined)[] = new Array(n)
  for (let j = 0; j < annotated.length; j++) {
    const a = annotated[j] as number
    const s = start.get(a) as { phis: Phis; models: (LabelModel | undefined)[] }
    out[a] = stack.mask(a)
    runFront(stack, prop, a, -1, j > 0 ? (annotated[j - 1] as number) : -1, s, down)
    runFront(stack, prop, a, 1, j + 1 < annotated.length ? (annotated[j + 1] as number) : n, s, up)
    stack.tick()
  }
  const starts = (a: number): Phis => (start.get(a) as { phis: Phis }).phis
  const first = annotated[0] as number
  const last = annotated[annotated.length - 1] as number
  for (let j = 0; j + 1 < annotated.length; j++) {
    const a = annotated[j] as number
    const b = annotated[j + 1] as number
    for (let i = a + 1; i < b; i++) {
      // Inverse-distance weights w_a ∝ 1/(i−a)^p: p = 1 is the linear blend of sdf; p = 2 (Shepard's) leans
      // on the nearer, more reliable front, which measured better at low densities where gaps are long.
      const da = Math.pow(i - a, o.fusionPower)
      const db = Math.pow(b - i, o.fusionPower)
      const t = da / (da + db)
      const fronts = fuse(up[i], down[i], starts(a), starts(b), t, size)
      out[i] = labelsFromLevelSets(withShape(fronts, starts(a), starts(b), i, a, b, size), channels, size)
      stack.tick()
    }
  }
  for (let i = 0; i < first; i++) out[i] = down[i] ? labelsFromLevelSets(down[i] as Phis, channels, size) : undefined
  for (let i = last + 1; i < n; i++) out[i] = up[i] ? labelsFromLevelSets(up[i] as Phis, channels, size) : undefined
  return out
}

/**
 * Blends, channel by channel, the level sets that the fronts from a (below, fraction t away) and from b
 * (above) brought to a slice, weighted by inverse distance to each source. A channel absent on its annotated
 * slice closes toward it (as in sdf); a channel whose front stopped early gives no evidence, so the other
 * front's level set is used alone.
 */
function fuse(A: Phis | undefined, B: Phis | undefined, startA: Phis, startB: Phis, t: number, size: number): Phis {
  return startA.map((_, c) => {
    const fromA = A?.[c]
    const fromB = B?.[c]
    if (fromA && fromB) return blendLevelSets(fromA, fromB, t, size)
    if (fromA) return startB[c] ? fromA : blendLevelSets(fromA, undefined, t, size)
    if (fromB) return startA[c] ? fromB : blendLevelSets(undefined, fromB, t, size)
    return undefined
  })
}

/**
 * Mixes the fused fronts with the shape-based (sdf) blend of the two annotated slices, the shape's share being
 * 1/(g−1)² for a gap of g = b − a: all of it in a one-slice gap, where blending two neighbouring masks is hard
 * to beat and registration only adds error, ¼ in a two-slice gap, and next to nothing in the long gaps where
 * shapes move and only the fronts follow them. Measured on the 260 hippocampus volumes: +0.004 IoU at ρ 0.8
 * and +0.010 at ρ 0.4, unchanged below.
 */
function withShape(fronts: Phis, startA: Phis, startB: Phis, i: number, a: number, b: number, size: number): Phis {
  const share = 1 / ((b - a - 1) * (b - a - 1))
  const t = (i - a) / (b - a)
  return fronts.map((phi, c) => {
    const shape = blendLevelSets(startA[c], startB[c], t, size)
    if (!phi || !shape) return phi ?? shape
    const out = new Float32Array(size)
    for (let p = 0; p < size; p++) out[p] = share * (shape[p] as number) + (1 - share) * (phi[p] as number)
    return out
  })
}
