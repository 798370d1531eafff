/**
 * A tiled GEMM shader for TF.js's webgpu backend whose operands are never materialised: each kernel
 * supplies WGSL that reads A[m, k] and B[k, n] straight from its tensors (an implicit GEMM, e.g. im2col
 * patches of a convolution input) and says where C[m, n] lands in its output. The shader stages a TILE_M ×
 * TILE_K block of A and a TILE_K × TILE_N block of B in workgroup memory per step; each thread accumulates
 * a ROWS × 4 block of C in registers. The GEMM may be cut into slices along a third axis (the workgroup's
 * slice index z): partial sums over ranges of k (split-K, summed afterwards by {@link SumSlicesProgram}),
 * or independent sub-GEMMs (the stride phases of a transposed convolution).
 */
import type { TensorInfo } from '@tensorflow/tfjs'
import * as tf from '@tensorflow/tfjs'
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu'

/** Columns of C each thread accumulates (one vec4). */
const COLS_PER_THREAD = 4
/** Depth of one k step: the rows of B / columns of A staged per barrier (≤ a tile's threads, which compute its k terms). */
export const TILE_K = 16

/** The block of C one workgroup computes and how its threads share it. */
export interface GemmTile {
  readonly tileM: number
  readonly tileN: number
  /** Rows of C per thread (its columns are always 4). */
  readonly rowsPerThread: number
}

/**
 * The tile for a GEMM with `n` columns: as narrow as n allows (a U-Net has 1–64 channels; a wider tile
 * would compute padding), 8 rows per thread, and at least 32 threads (a warp). On llvmpipe (3×3×3
 * Conv3D and its filter gradient, 16–64 channels) 8 rows per thread ran ~20% faster than 4 and 16 rows
 * another ~10%, which would leave a 16-column tile a 16-thread workgroup on a GPU.
 */
export function chooseGemmTile(n: number): GemmTile {
  if (n <= 4) return { tileM: 128, tileN: 4, rowsPerThread: 4 }
  if (n <= 8) return { tileM: 128, tileN: 8, rowsPerThread: 8 }
  if (n <= 16) return { tileM: 64, tileN: 16, rowsPerThread: 8 }
  if (n <= 32) return { tileM: 64, tileN: 32, rowsPerThread: 8 }
  return { tileM: 64, tileN: 64, rowsPerThread: 8 }
}

/** The workgroup size of a tile: x across the columns of C, y across its rows. */
export function tileWorkgroupSize(tile: GemmTile): [number, number, number] {
  return [tile.tileN / COLS_PER_THREAD, tile.tileM / tile.rowsPerThread, 1]
}

/** How a GEMM's k axis is cut into independently summed ranges. */
export interface SplitK {
  readonly slices: number
  /** Entries of k per slice (a multiple of TILE_K; the last slice may hold fewer). */
  readonly chunk: number
}

/** Enough workgroups to fill a large GPU about twice over; a handful more costs little on a small one. */
const TARGET_WORKGROUPS = 256
/** The fewest k steps worth a slice of their own: below it the extra pass costs more than it saves. */
const MIN_STEPS_PER_SLICE = 16
/** Partial sums beyond this many floats are not worth their memory. */
const MAX_PARTIAL_FLOATS = 16 * 2 ** 20

/**
 * The split of k for an m×n×k GEMM covered by `tiles` workgroups: none when the tiles already fill the
 * GPU, else as many slices as bring it near {@link TARGET_WORKGROUPS} (a filter gradient of a 3D U-Net
 * has k = batch·voxels in the hundreds of thousands but only a few tiles of C).
 */
export function planSplitK(m: number, n: number, k: number, tiles: number): SplitK {
  const byTiles = Math.ceil(TARGET_WORKGROUPS / Math.max(tiles, 1))
  const byDepth = Math.floor(k / (MIN_STEPS_PER_SLICE * TILE_K))
  const byMemory = Math.floor(MAX_PARTIAL_FLOATS / Math.max(m * n, 1))
  const wanted = Math.max(1, Math.min(byTiles, byDepth, byMemory))
  const chunk = Math.ceil(Math.ceil(k / wanted) / TILE_K) * TILE_K
  return { slices: Math.max(1, Math.ceil(k / chunk)), chunk: Math.max(chunk, TILE_K) }
}

/** The axis along which consecutive threads read an operand: the one contiguous in its tensor. */
export type FastAxis = 'outer' | 'inner'

/** What one kernel adds to the shader: its reads of A and B and where C is written. */
export interface GemmSnippets {
  /** A name for the shader cache; the same name must always mean the same WGSL. */
  readonly key: string
  /** Tensors the snippets read, bound in this order. */
  readonly variableNames: string[]
  /** Uniform fields after the GEMM's own (`tiling`, `gemm`), WGSL struct syntax ending in a comma. */
  readonly uniforms: string
  /**
   * WGSL defining
   * - `struct Slice` (at least rows, kBegin, kEnd: i32) and `fn sliceOf(z: i32) -> Slice`, which may read
   *   only uniforms: its result bounds loops with barriers, which WGSL requires to be workgroup-uniform;
   * - `fn rowOf(s: Slice, m: i32) -> vec4<i32>`: the terms of A's row m, once per tile and row;
   * - `fn depthOf(s: Slice, k: i32) -> vec4<i32>`: the terms of A's column / B's row k, once per tile and k;
   * - `fn readA(s: Slice, row: vec4<i32>, depth: vec4<i32>) -> f32` and
   *   `fn readB(s: Slice, depth: vec4<i32>, k: i32, n: i32) -> f32`, called only inside the slice;
   * - `fn outIndex(s: Slice, z: i32, m: i32, n: i32) -> i32`: where C[m, n] of slice z is written.
   * The row and depth terms carry the index arithmetic (divisions, which GPUs and llvmpipe alike do
   * slowly) out of the per-element reads: a tile computes them for its rows and k once, not per element.
   */
  readonly wgsl: string
  /** A: 'outer' when consecutive m are adjacent in memory, 'inner' when consecutive k are. */
  readonly aFast: FastAxis
  /** B: 'outer' when consecutive n are adjacent in memory, 'inner' when consecutive k are. */
  readonly bFast: FastAxis
}

/** The GEMM's shader body: the tile loop around the kernel's snippets. */
export function tiledGemmSource(tile: GemmTile, snippets: GemmSnippets): string {
  const [wgX, wgY] = tileWorkgroupSize(tile)
  const threads = wgX * wgY
  const rows = tile.rowsPerThread
  // One float of padding per staged row keeps the loader's stores off a single memory bank.
  const strideA = tile.tileM + 1
  const strideB = tile.tileN + 1
  const stage = (name: string, outer: number, fast: FastAxis, stride: number, bound: string, read: string): string => `
      for (var e = li; e < ${outer * TILE_K}; e += ${threads}) {
        ${fast === 'outer' ? `let o = e % ${outer}; let kk = e / ${outer};` : `let kk = e % ${TILE_K}; let o = e / ${TILE_K};`}
        var v = 0.0;
        if (${bound} && k0 + kk < slice.kEnd) { ${read} }
        ${name}[kk * ${stride} + o] = v;
      }`
  const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i)
  return `
  ${snippets.wgsl}

  var<workgroup> tileA : array<f32, ${TILE_K * strideA}>;
  var<workgroup> tileB : array<f32, ${TILE_K * strideB}>;
  var<workgroup> rowTerms : array<vec4<i32>, ${tile.tileM}>;
  // Two halves: the next step's depth terms are computed while this step's tiles are multiplied.
  var<workgroup> depthTerms : array<vec4<i32>, ${2 * TILE_K}>;
  var<workgroup> tileIndexShared : i32;

  fn main() {
    // TF.js keeps the builtins in private variables, which WGSL's uniformity analysis cannot follow;
    // reading the tile index back through workgroup memory makes it provably uniform for the barriers.
    if (localIndex == 0u) {
      tileIndexShared = i32(workgroupId.y * numWorkgroups.x + workgroupId.x);
    }
    let tile = workgroupUniformLoad(&tileIndexShared);
    if (tile >= uniforms.tiling.w) { return; }
    let tileN = tile % uniforms.tiling.y;
    let tileM = (tile / uniforms.tiling.y) % uniforms.tiling.x;
    let z = tile / (uniforms.tiling.y * uniforms.tiling.x);
    let slice = sliceOf(z);
    let m0 = tileM * ${tile.tileM};
    if (m0 >= slice.rows) { return; }
    let n0 = tileN * ${tile.tileN};
    let n1 = uniforms.gemm.y;
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let li = i32(localIndex);
    for (var r = li; r < ${tile.tileM}; r += ${threads}) {
      if (m0 + r < slice.rows) { rowTerms[r] = rowOf(slice, m0 + r); }
    }
    if (li < ${TILE_K} && slice.kBegin + li < slice.kEnd) { depthTerms[li] = depthOf(slice, slice.kBegin + li); }
    workgroupBarrier();
    ${range(rows).map((i) => `var acc${i} = vec4<f32>(0.0);`).join('\n    ')}
    var depthHalf = 0;
    for (var k0 = slice.kBegin; k0 < slice.kEnd; k0 += ${TILE_K}) {
      ${stage('tileA', tile.tileM, snippets.aFast, strideA, 'm0 + o < slice.rows', `v = readA(slice, rowTerms[o], depthTerms[depthHalf + kk]);`)}
      ${stage('tileB', tile.tileN, snippets.bFast, strideB, 'n0 + o < n1', `v = readB(slice, depthTerms[depthHalf + kk], k0 + kk, n0 + o);`)}
      workgroupBarrier();
      let next = k0 + ${TILE_K} + li;
      if (li < ${TILE_K} && next < slice.kEnd) { depthTerms[${TILE_K} - depthHalf + li] = depthOf(slice, next); }
      for (var kk = 0; kk < ${TILE_K}; kk++) {
        let a = kk * ${strideA} + ty;
        let b = kk * ${strideB} + tx;
        let bv = vec4<f32>(${range(COLS_PER_THREAD).map((j) => `tileB[b + ${j * wgX}]`).join(', ')});
        ${range(rows).map((i) => `acc${i} = fma(vec4<f32>(tileA[a + ${i * wgY}]), bv, acc${i});`).join('\n        ')}
      }
      workgroupBarrier();
      depthHalf = ${TILE_K} - depthHalf;
    }
    // Threads own strided rows and columns (ty + i·wgY, tx + j·wgX): neighbours read neighbouring staged
    // values and write neighbouring outputs.
    ${range(rows)
      .map((i) => range(COLS_PER_THREAD).map((j) => `
    {
      let m = m0 + ty + ${i * wgY};
      let n = n0 + tx + ${j * wgX};
      if (m < slice.rows && n < n1) { result[outIndex(slice, z, m, n)] = acc${i}[${j}]; }
    }`).join(''))
      .join('')}
  }`
}

/** The (possibly sliced) GEMM of one kernel call; its output is flat, laid out by the snippets' outIndex. */
export class TiledGemmProgram implements WebGPUProgram {
  outputShape: number[]
  shaderKey: string
  dispatchLayout = { x: [0], y: [1], z: [2] }
  dispatch: [number, number, number]
  variableNames: string[]
  uniforms: string
  workgroupSize: [number, number, number]

  constructor(
    readonly tile: GemmTile,
    readonly snippets: GemmSnippets,
    outputSize: number,
    totalTiles: number,
    maxWorkgroupsPerDimension: number,
  ) {
    this.outputShape = [outputSize]
    this.variableNames = snippets.variableNames
    this.uniforms = `tiling : vec4<i32>, gemm : vec4<i32>, ${snippets.uniforms}`
    this.workgroupSize = tileWorkgroupSize(tile)
    // Tiles are numbered in x then y, so no dimension exceeds the device's limit.
    const x = Math.min(totalTiles, maxWorkgroupsPerDimension)
    this.dispatch = [x, Math.ceil(totalTiles / x), 1]
    this.shaderKey = `tiledGemm_${snippets.key}_${tile.tileM}x${tile.tileN}x${tile.rowsPerThread}_${snippets.aFast}_${snippets.bFast}`
  }

  getUserCode(): string {
    return tiledGemmSource(this.tile, this.snippets)
  }
}

/** Sums `slices` consecutive partial results of equal size: the second pass of a split-K GEMM. */
export class SumSlicesProgram implements WebGPUProgram {
  outputShape: number[]
  shaderKey = 'tiledGemmSumSlices'
  dispatchLayout = { x: [0] }
  dispatch: [number, number, number]
  variableNames = ['partials']
  uniforms = 'slices : i32,'
  workgroupSize: [number, number, number] = [64, 1, 1]
  size = true

  constructor(outputSize: number) {
    this.outputShape = [outputSize]
    // A flat dispatch: past the per-dimension limit TF.js folds it itself, and its getGlobalIndex follows.
    this.dispatch = [Math.ceil(outputSize / 64), 1, 1]
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var sum = 0.0;
      for (var s = 0; s < uniforms.slices; s++) { sum += partials[s * uniforms.size + index]; }
      setOutputAtIndex(index, sum);
    }
  }`
  }
}

/** One GEMM call: its operands, shape and how it is sliced. */
export interface GemmCall {
  readonly snippets: GemmSnippets
  /** The tensors named by snippets.variableNames, in that order (any shape: the shader reads them flat). */
  readonly inputs: TensorInfo[]
  /** Rows of the largest slice, and the columns of C. */
  readonly rows: number
  readonly cols: number
  /** The slices along z: split-K partial sums (summed here) or independent sub-GEMMs. */
  readonly slices: number
  readonly sliceMode: 'split-k' | 'disjoint'
  /** `gemm` uniform: (m, n, k, chunk) as the snippets read them. */
  readonly gemm: [number, number, number, number]
  /** The kernel's own uniforms, in the order of snippets.uniforms. */
  readonly uniformData: { type: 'int32'; data: number[] }[]
  /** The result's shape (its size is that of C). */
  readonly outShape: number[]
}

/** A view of `x` in another shape (TF.js's Reshape on webgpu only relabels the buffer). */
function view(backend: WebGPUBackend, x: TensorInfo, shape: number[]): TensorInfo {
  const reshape = tf.getKernel('Reshape', 'webgpu')
  if (!reshape) throw new Error('the webgpu backend has no Reshape kernel')
  return reshape.kernelFunc({ inputs: { x }, attrs: { shape }, backend }) as TensorInfo
}

/** Runs a GEMM call on the webgpu backend and returns its result in call.outShape. */
export function runTiledGemm(backend: WebGPUBackend, call: GemmCall, tile: GemmTile = chooseGemmTile(call.cols)): TensorInfo {
  const size = call.outShape.reduce((a, b) => a * b, 1)
  const maxPerDimension = backend.device.limits.maxComputeWorkgroupsPerDimension
  const tilesM = Math.ceil(call.rows / tile.tileM)
  const tilesN = Math.ceil(call.cols / tile.tileN)
  const total = tilesM * tilesN * call.slices
  // The shader reads its operands by flat index: rank-1 views keep TF.js's preamble free of rank-5
  // structs (whose indexing does not compile elsewhere in this package) and its shader key rank-independent.
  const flat = call.inputs.map((t) => view(backend, t, [t.shape.reduce((a, b) => a * b, 1)]))
  const partialSums = call.sliceMode === 'split-k' && call.slices > 1
  const program = new TiledGemmProgram(tile, call.snippets, partialSums ? size * call.slices : size, total, maxPerDimension)
  const uniforms = [
    { type: 'int32', data: [tilesM, tilesN, call.slices, total] },
    { type: 'int32', data: [...call.gemm] },
    ...call.uniformData,
  ]
  let out = backend.runWebGPUProgram(program, flat, 'float32', uniforms)
  if (partialSums) {
    const partials = out
    out = backend.runWebGPUProgram(new SumSlicesProgram(size), [partials], 'float32', [{ type: 'int32', data: [call.slices] }])
    backend.disposeData(partials.dataId)
  }
  const shaped = view(backend, out, call.outShape)
  for (const t of [...flat, out]) backend.disposeData(t.dataId)
  return shaped
}
