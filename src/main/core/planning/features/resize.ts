/** For each output pixel along one axis: the first input pixel it overlaps and the overlap weights. */
export interface AreaTable {
  start: Int32Array
  /** weights[o] sums to 1; weights[o][t] belongs to input pixel start[o] + t. */
  weights: Float64Array[]
}

/**
 * Area-average weights from `input` pixels to `output` pixels along one axis: output pixel o covers input
 * [o·input/output, (o+1)·input/output) and averages what it covers, weighted by overlap. This is the
 * anti-aliased choice for shrinking (every input pixel contributes; bilinear sampling would skip some when
 * shrinking by more than 2, e.g. 512 → 32) and it degrades to nearest-pixel copying when enlarging.
 */
export function areaTable(input: number, output: number): AreaTable {
  if (!(Number.isInteger(input) && input > 0 && Number.isInteger(output) && output > 0)) {
    throw new RangeError(`area resize needs positive integer sizes, got ${input} → ${output}`)
  }
  const step = input / output
  const start = new Int32Array(output)
  const weights: Float64Array[] = []
  for (let o = 0; o < output; o++) {
    const lo = o * step
    const hi = (o + 1) * step
    const first = Math.floor(lo)
    const last = Math.min(input - 1, Math.ceil(hi) - 1)
    const w = new Float64Array(last - first + 1)
    for (let i = first; i <= last; i++) w[i - first] = (Math.min(hi, i + 1) - Math.max(lo, i)) / step
    start[o] = first
    weights.push(w)
  }
  return { start, weights }
}

/**
 * Resizes a width × height image (pixel (u, v) at u + width·v, as extractSlice returns slices) to
 * outW × outH by area averaging, separably (rows first, then columns), writing into `out` at `outOffset`.
 */
export function resizeArea(
  image: ArrayLike<number>,
  width: number,
  height: number,
  tu: AreaTable,
  tv: AreaTable,
  out: Float32Array,
  outOffset = 0,
): void {
  const outW = tu.start.length
  const outH = tv.start.length
  const tmp = new Float64Array(outW * height)
  for (let v = 0; v < height; v++) {
    const row = v * width
    for (let o = 0; o < outW; o++) {
      const w = tu.weights[o] as Float64Array
      const s = row + (tu.start[o] as number)
      let acc = 0
      for (let t = 0; t < w.length; t++) acc += (w[t] as number) * (image[s + t] as number)
      tmp[o + outW * v] = acc
    }
  }
  for (let o = 0; o < outH; o++) {
    const w = tv.weights[o] as Float64Array
    const s = tv.start[o] as number
    for (let u = 0; u < outW; u++) {
      let acc = 0
      for (let t = 0; t < w.length; t++) acc += (w[t] as number) * (tmp[u + outW * (s + t)] as number)
      out[outOffset + u + outW * o] = acc
    }
  }
}
