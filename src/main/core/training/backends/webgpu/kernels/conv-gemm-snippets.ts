/**
 * The WGSL that turns a channels-last convolution (2D as 3D with depth 1) into an implicit GEMM for
 * tiled-gemm.ts: how A[m, k] and B[k, n] are read from the tensors and where C[m, n] goes, for the forward
 * pass (Conv3D), the filter gradient (Conv2DBackpropFilter, Conv3DBackpropFilterV2) and the input gradient
 * (Conv3DBackpropInputV2). All three read the same uniforms, filled from TF.js's own conv info so that
 * 'same' / 'valid' / explicit padding matches the stock kernels exactly.
 */
import type * as tf from '@tensorflow/tfjs'
import type { GemmSnippets } from './tiled-gemm'

/** A convolution's sizes, channels last, with 2D convolutions as depth 1. */
export interface ConvGeometry {
  readonly batch: number
  /** Input (x, or dx of the input gradient): depth, height, width, channels. */
  readonly inDims: [number, number, number, number]
  /** Output (y, or dy): depth, height, width, channels. */
  readonly outDims: [number, number, number, number]
  /** Filter depth, height, width. */
  readonly filterDims: [number, number, number]
  readonly strides: [number, number, number]
  /** Padding before the first element: front, top, left. */
  readonly pads: [number, number, number]
}

/** The geometry of a 3D convolution from TF.js's conv info. */
export function geometryOf3D(info: tf.backend_util.Conv3DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inDims: [info.inDepth, info.inHeight, info.inWidth, info.inChannels],
    outDims: [info.outDepth, info.outHeight, info.outWidth, info.outChannels],
    filterDims: [info.filterDepth, info.filterHeight, info.filterWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    pads: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
  }
}

/** The geometry of a 2D convolution from TF.js's conv info, as a 3D one of depth 1. */
export function geometryOf2D(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inDims: [1, info.inHeight, info.inWidth, info.inChannels],
    outDims: [1, info.outHeight, info.outWidth, info.outChannels],
    filterDims: [1, info.filterHeight, info.filterWidth],
    strides: [1, info.strideHeight, info.strideWidth],
    pads: [0, info.padInfo.top, info.padInfo.left],
  }
}

/** The uniform fields every convolution snippet reads (filterDims.w is the batch size). */
const convUniforms = 'inDims : vec4<i32>, outDims : vec4<i32>, filterDims : vec4<i32>, strides : vec4<i32>, pads : vec4<i32>,'

/** The values of {@link convUniforms} for a geometry. */
export function convUniformData(g: ConvGeometry): { type: 'int32'; data: number[] }[] {
  return [
    { type: 'int32', data: [...g.inDims] },
    { type: 'int32', data: [...g.outDims] },
    { type: 'int32', data: [...g.filterDims, g.batch] },
    { type: 'int32', data: [...g.strides, 0] },
    { type: 'int32', data: [...g.pads, 0] },
  ]
}

/** Index arithmetic shared by the snippets. */
const unflatten = `
  // (i0, i1, i2, i3) of a row-major flat index whose three inner axes have extents e.
  fn unflatten4(i : i32, e : vec3<i32>) -> vec4<i32> {
    let r2 = i / e.z;
    let r1 = r2 / e.y;
    return vec4<i32>(r1 / e.x, r1 % e.x, r2 % e.y, i % e.z);
  }`

/** x at batch b, spatial position p and channel c; zero in the padding. */
const readX = `
  fn xAt(b : i32, p : vec3<i32>, c : i32) -> f32 {
    let dims = uniforms.inDims.xyz;
    if (any(p < vec3<i32>(0)) || any(p >= dims)) { return 0.0; }
    return x[(((b * dims.x + p.x) * dims.y + p.y) * dims.z + p.z) * uniforms.inDims.w + c];
  }`

/**
 * Split-K slices: slice z sums k in [z·chunk, (z+1)·chunk) into its own copy of C (gemm = (m, n, k, chunk));
 * with one slice, C is the output itself.
 */
const splitKSlices = `
  struct Slice { rows : i32, kBegin : i32, kEnd : i32 };
  fn sliceOf(z : i32) -> Slice {
    let kBegin = z * uniforms.gemm.w;
    return Slice(uniforms.gemm.x, kBegin, min(uniforms.gemm.z, kBegin + uniforms.gemm.w));
  }
  fn outIndex(s : Slice, z : i32, m : i32, n : i32) -> i32 {
    return (z * uniforms.gemm.x + m) * uniforms.gemm.y + n;
  }`

/**
 * The forward pass y = conv(x, W): m = (b, od, oh, ow), k = (kd, kh, kw, ci), n = co. A is the im2col
 * patch (contiguous along ci, i.e. k), B the filter as a k×n matrix, C the output as laid out.
 */
export const conv3dSnippets: GemmSnippets = {
  key: 'conv3d',
  variableNames: ['x', 'W'],
  uniforms: convUniforms,
  aFast: 'inner',
  bFast: 'outer',
  wgsl: `${unflatten}${readX}${splitKSlices}
  // Row: (b, the patch's corner). Depth: (kd, kh, kw, ci).
  fn rowOf(s : Slice, m : i32) -> vec4<i32> {
    let o = unflatten4(m, uniforms.outDims.xyz);
    return vec4<i32>(o.x, o.yzw * uniforms.strides.xyz - uniforms.pads.xyz);
  }
  fn depthOf(s : Slice, k : i32) -> vec4<i32> {
    return unflatten4(k, vec3<i32>(uniforms.filterDims.yz, uniforms.inDims.w));
  }
  fn readA(s : Slice, row : vec4<i32>, depth : vec4<i32>) -> f32 {
    return xAt(row.x, row.yzw + depth.xyz, depth.w);
  }
  fn readB(s : Slice, depth : vec4<i32>, k : i32, n : i32) -> f32 {
    return W[k * uniforms.gemm.y + n];
  }`,
}

/**
 * The filter gradient dW = Σ x-patch · dy: m = (kd, kh, kw, ci), k = (b, od, oh, ow), n = co. A is the
 * transposed im2col patch (contiguous along ci, i.e. m), B is dy as a k×n matrix, C is dW as laid out.
 */
export const convFilterGradSnippets: GemmSnippets = {
  key: 'convFilterGrad',
  variableNames: ['x', 'dy'],
  uniforms: convUniforms,
  aFast: 'outer',
  bFast: 'outer',
  wgsl: `${unflatten}${readX}${splitKSlices}
  // Row: (the tap less the padding, ci). Depth: (b, the output position times the stride).
  fn rowOf(s : Slice, m : i32) -> vec4<i32> {
    let t = unflatten4(m, vec3<i32>(uniforms.filterDims.yz, uniforms.inDims.w));
    return vec4<i32>(t.xyz - uniforms.pads.xyz, t.w);
  }
  fn depthOf(s : Slice, k : i32) -> vec4<i32> {
    let o = unflatten4(k, uniforms.outDims.xyz);
    return vec4<i32>(o.x, o.yzw * uniforms.strides.xyz);
  }
  fn readA(s : Slice, row : vec4<i32>, depth : vec4<i32>) -> f32 {
    return xAt(depth.x, depth.yzw + row.xyz, row.w);
  }
  fn readB(s : Slice, depth : vec4<i32>, k : i32, n : i32) -> f32 {
    return dy[k * uniforms.gemm.y + n];
  }`,
}

/**
 * The input gradient dx[b, i, ci] = Σ dy[b, o, co]·W[t, ci, co] over o·s + t − pad = i, one slice per
 * stride phase (i mod s along each axis). Within a phase the taps that land on i are t = first + s·u
 * with a fixed first tap, and o = i div s + base − u: every k of the slice is a real tap, where a
 * single GEMM over all taps would skip all but 1/s³ of them (a stride-2 transposed convolution is most
 * of a U-Net's upsampling). m = (b, jd, jh, jw) with i = phase + s·j, k = (ud, uh, uw, co), n = ci.
 * The phase is decoded from z: sliceOf reads only uniforms and z, as the barriers require.
 */
export const convInputGradSnippets: GemmSnippets = {
  key: 'convInputGrad',
  variableNames: ['dy', 'W'],
  uniforms: convUniforms,
  aFast: 'inner',
  bFast: 'inner',
  wgsl: `${unflatten}
  struct Slice {
    rows : i32, kBegin : i32, kEnd : i32,
    phase : vec3<i32>,    // i mod s of this slice's dx positions
    extent : vec3<i32>,   // how many dx positions along each axis have that phase
    taps : vec3<i32>,     // filter taps per axis that land on them
    firstTap : vec3<i32>, // the first such tap: (phase + pad) mod s
    base : vec3<i32>,     // o of the first tap at j = 0: (phase + pad) div s
  };
  fn sliceOf(z : i32) -> Slice {
    let st = uniforms.strides.xyz;
    let phase = vec3<i32>(z / (st.y * st.z), (z / st.z) % st.y, z % st.z);
    let extent = (uniforms.inDims.xyz - phase + st - 1) / st;
    let shifted = phase + uniforms.pads.xyz;
    let firstTap = shifted % st;
    let ks = uniforms.filterDims.xyz;
    let taps = select(vec3<i32>(0), (ks - firstTap + st - 1) / st, ks > firstTap);
    let rows = uniforms.filterDims.w * extent.x * extent.y * extent.z;
    return Slice(rows, 0, taps.x * taps.y * taps.z * uniforms.outDims.w, phase, extent, taps, firstTap, shifted / st);
  }
  // Row: (b, o of the first tap). Depth: (ud, uh, uw, co).
  fn rowOf(s : Slice, m : i32) -> vec4<i32> {
    let j = unflatten4(m, s.extent);
    return vec4<i32>(j.x, j.yzw + s.base);
  }
  fn depthOf(s : Slice, k : i32) -> vec4<i32> {
    return unflatten4(k, vec3<i32>(s.taps.yz, uniforms.outDims.w));
  }
  fn readA(s : Slice, row : vec4<i32>, depth : vec4<i32>) -> f32 {
    let o = row.yzw - depth.xyz;
    let od = uniforms.outDims;
    if (any(o < vec3<i32>(0)) || any(o >= od.xyz)) { return 0.0; }
    return dy[(((row.x * od.x + o.x) * od.y + o.y) * od.z + o.z) * od.w + depth.w];
  }
  fn readB(s : Slice, depth : vec4<i32>, k : i32, n : i32) -> f32 {
    let t = s.firstTap + depth.xyz * uniforms.strides.xyz;
    let fd = uniforms.filterDims;
    return W[(((t.x * fd.y + t.y) * fd.z + t.z) * uniforms.inDims.w + n) * uniforms.outDims.w + depth.w];
  }
  fn outIndex(s : Slice, z : i32, m : i32, n : i32) -> i32 {
    let j = unflatten4(m, s.extent);
    let i = s.phase + j.yzw * uniforms.strides.xyz;
    let id = uniforms.inDims;
    return (((j.x * id.x + i.x) * id.y + i.y) * id.z + i.z) * id.w + n;
  }`,
}
