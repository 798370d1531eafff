/**
 * Geometry of one spatial axis of a convolution, as TF.js computes it for 'same' and 'valid' padding.
 * The project's convolution kernels derive every pad and crop from these few numbers, and refuse the
 * attribute values they were not verified for (explicit or numeric padding, rounding modes, NCHW,
 * dilation in gradients) instead of computing them wrongly.
 */

/** The paddings the project's kernels accept (both are covered by the finite-difference tests). */
export type Padding = 'same' | 'valid'

/** Output length and leading pad of one convolution axis. */
export interface AxisGeometry {
  /** Output length along the axis. */
  readonly out: number
  /** Zeros added before the first input element (TF.js puts the odd one after, as TensorFlow does). */
  readonly before: number
}

/** Output length and leading pad of one axis for input length n, kernel k, stride s (dilation 1). */
export function axisGeometry(n: number, k: number, s: number, pad: Padding): AxisGeometry {
  if (pad === 'valid') return { out: Math.ceil((n - k + 1) / s), before: 0 }
  const out = Math.ceil(n / s)
  const total = Math.max((out - 1) * s + k - n, 0)
  return { out, before: Math.floor(total / 2) }
}

/** Thrown for a convolution attribute the project's kernels do not implement (never silently wrong). */
export class UnsupportedConvolutionError extends Error {
  override readonly name = 'UnsupportedConvolutionError'
  constructor(kernel: string, what: string) {
    super(`${kernel}: ${what} is not supported by the project's wasm training kernels`)
  }
}

/** The padding if it is 'same' or 'valid'; throws for numeric or explicit padding. */
export function checkPadding(kernel: string, pad: unknown): Padding {
  if (pad === 'same' || pad === 'valid') return pad
  throw new UnsupportedConvolutionError(kernel, `padding ${JSON.stringify(pad)} (only 'same' and 'valid')`)
}

/** A stride or dilation attribute as an n-tuple of positive integers; throws for anything else. */
export function tupleOf(kernel: string, what: string, value: unknown, n: number): number[] {
  const out = typeof value === 'number' ? Array<number>(n).fill(value) : value
  if (!Array.isArray(out) || out.length !== n || !out.every((v) => Number.isInteger(v) && (v as number) >= 1)) {
    throw new UnsupportedConvolutionError(kernel, `${what} ${JSON.stringify(value)}`)
  }
  return out as number[]
}

/** Throws unless every dilation is 1 (the gradients are only derived and verified for dilation 1). */
export function checkNoDilation(kernel: string, dilations: unknown, n: number): void {
  if (dilations === undefined || dilations === null) return
  if (tupleOf(kernel, 'dilations', dilations, n).some((d) => d !== 1)) {
    throw new UnsupportedConvolutionError(kernel, `dilations ${JSON.stringify(dilations)} (only 1)`)
  }
}

/** Throws for a rounding mode or a channels-first layout (only TF.js's default geometry is derived). */
export function checkLayout(kernel: string, attrs: { dataFormat?: unknown; dimRoundingMode?: unknown }): void {
  if (attrs.dimRoundingMode !== undefined && attrs.dimRoundingMode !== null) {
    throw new UnsupportedConvolutionError(kernel, `dimRoundingMode ${JSON.stringify(attrs.dimRoundingMode)}`)
  }
  const f = attrs.dataFormat
  if (f !== undefined && f !== 'NHWC' && f !== 'NDHWC' && f !== 'channelsLast') {
    throw new UnsupportedConvolutionError(kernel, `data format ${JSON.stringify(f)} (only channels-last)`)
  }
}

/** Explicit [[0,0],[top,bottom],[left,right],[0,0]] padding equal to `pad` for a 2D convolution. */
export function explicitPadding2d(
  [h, w]: readonly [number, number],
  [kh, kw]: readonly [number, number],
  [sh, sw]: readonly [number, number],
  pad: Padding,
): [[0, 0], [number, number], [number, number], [0, 0]] {
  const along = (n: number, k: number, s: number): [number, number] => {
    const g = axisGeometry(n, k, s, pad)
    if (pad === 'valid') return [0, 0]
    const total = Math.max((g.out - 1) * s + k - n, 0)
    return [g.before, total - g.before]
  }
  return [[0, 0], along(h, kh, sh), along(w, kw, sw), [0, 0]]
}
