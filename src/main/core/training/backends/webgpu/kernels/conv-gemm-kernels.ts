/**
 * The project's webgpu kernels for the convolutions TF.js 4.22 runs naively (one thread per output
 * value: Conv2DBackpropFilter, Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2), as tiled implicit
 * GEMMs (tiled-gemm.ts, conv-gemm-snippets.ts). Each wraps the stock kernel and hands it every call it does
 * not cover: dilations other than 1, channels-first layouts, dtypes other than float32, empty tensors.
 */
import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu'
import {
  conv3dSnippets,
  convFilterGradSnippets,
  convInputGradSnippets,
  convUniformData,
  geometryOf2D,
  geometryOf3D,
  type ConvGeometry,
} from './conv-gemm-snippets'
import { chooseGemmTile, planSplitK, runTiledGemm, type GemmSnippets } from './tiled-gemm'

type Triple = [number, number, number]
type Shape4 = [number, number, number, number]
type Shape5 = [number, number, number, number, number]
type Pad = 'same' | 'valid' | number

/** The kernel functions made here, so a caller can tell them from the stock ones. */
const tiledKernelFuncs = new WeakSet<KernelFunc>()

/** True when `config` is one of this module's tiled kernels. */
export function isTiledConvKernel(config: KernelConfig | undefined): boolean {
  return config !== undefined && tiledKernelFuncs.has(config.kernelFunc)
}

/** True when every dilation is 1 (a number, a tuple or absent). */
function undilated(dilations: unknown): boolean {
  if (dilations === undefined || dilations === null) return true
  return (Array.isArray(dilations) ? dilations : [dilations]).every((d) => d === 1)
}

/** True when the tensors are float32 and none is empty. */
function plainFloat(...ts: (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t !== undefined && t.dtype === 'float32' && t.shape.every((d) => d > 0))
}

/** `stock` with `tiled` in front: tiled returns null for a call it does not cover. */
function withFallback(stock: KernelConfig, tiled: (backend: WebGPUBackend, inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap) => TensorInfo | null): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const out = tiled(args.backend as WebGPUBackend, args.inputs as Record<string, TensorInfo | undefined>, args.attrs ?? {})
    return out ?? stock.kernelFunc(args)
  }
  tiledKernelFuncs.add(kernelFunc)
  return { ...stock, kernelFunc }
}

/** A split-K GEMM (forward pass or filter gradient) of an m×n×k convolution product. */
function splitKGemm(backend: WebGPUBackend, snippets: GemmSnippets, inputs: TensorInfo[], g: ConvGeometry, mnk: Triple, outShape: number[]): TensorInfo {
  const [m, n, k] = mnk
  const tile = chooseGemmTile(n)
  const split = planSplitK(m, n, k, Math.ceil(m / tile.tileM) * Math.ceil(n / tile.tileN))
  return runTiledGemm(
    backend,
    { snippets, inputs, rows: m, cols: n, slices: split.slices, sliceMode: 'split-k', gemm: [m, n, k, split.chunk], uniformData: convUniformData(g), outShape },
    tile,
  )
}

/** Voxels of a geometry's output per batch element, and taps of its filter. */
const outVoxels = (g: ConvGeometry): number => g.outDims[0] * g.outDims[1] * g.outDims[2]
const taps = (g: ConvGeometry): number => g.filterDims[0] * g.filterDims[1] * g.filterDims[2]

/** Conv3D (NDHWC, dilation 1) as a GEMM with m = b·od·oh·ow, n = co, k = kd·kh·kw·ci. */
export function tiledConv3d(stock: KernelConfig): KernelConfig {
  return withFallback(stock, (backend, { x, filter }, attrs) => {
    const { strides, pad, dataFormat, dilations } = attrs as { strides: Triple | number; pad: Pad; dataFormat?: string; dilations?: Triple | number }
    if (!x || !filter || !plainFloat(x, filter) || !undilated(dilations) || (dataFormat !== undefined && dataFormat !== 'NDHWC')) return null
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filter.shape as Shape5, strides, 1, pad)
    if (info.outShape.some((d) => d <= 0)) return null
    const g = geometryOf3D(info)
    return splitKGemm(backend, conv3dSnippets, [x, filter], g, [g.batch * outVoxels(g), g.outDims[3], taps(g) * g.inDims[3]], info.outShape)
  })
}

/** Conv3DBackpropFilterV2 as a GEMM with m = kd·kh·kw·ci, n = co, k = b·od·oh·ow. */
export function tiledConv3dBackpropFilter(stock: KernelConfig): KernelConfig {
  return withFallback(stock, (backend, { x, dy }, attrs) => {
    const { strides, pad, filterShape } = attrs as { strides: Triple | number; pad: Pad; filterShape: number[] }
    if (!x || !dy || !plainFloat(x, dy)) return null
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filterShape as Shape5, strides, 1, pad)
    const g = geometryOf3D(info)
    return splitKGemm(backend, convFilterGradSnippets, [x, dy], g, [taps(g) * g.inDims[3], g.outDims[3], g.batch * outVoxels(g)], info.filterShape)
  })
}

/** Conv2DBackpropFilter (NHWC) as the 3D filter gradient of depth 1. */
export function tiledConv2dBackpropFilter(stock: KernelConfig): KernelConfig {
  return withFallback(stock, (backend, { x, dy }, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
      strides: [number, number] | number
      pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding
      dataFormat?: string
      dimRoundingMode?: 'floor' | 'round' | 'ceil'
      filterShape: number[]
    }
    if (!x || !dy || !plainFloat(x, dy) || (dataFormat !== undefined && dataFormat !== 'NHWC')) return null
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast')
    const g = geometryOf2D(info)
    return splitKGemm(backend, convFilterGradSnippets, [x, dy], g, [taps(g) * g.inDims[3], g.outDims[3], g.batch * outVoxels(g)], info.filterShape)
  })
}

/**
 * Conv3DBackpropInputV2 as one GEMM per stride phase (see convInputGradSnippets): m = b·jd·jh·jw of the
 * phase, n = ci, k = its taps · co.
 */
export function tiledConv3dBackpropInput(stock: KernelConfig): KernelConfig {
  return withFallback(stock, (backend, { dy, filter }, attrs) => {
    const { strides, pad, inputShape } = attrs as { strides: Triple | number; pad: Pad; inputShape: number[] }
    if (!dy || !filter || !plainFloat(dy, filter) || inputShape.some((d) => d <= 0)) return null
    const info = tf.backend_util.computeConv3DInfo(inputShape as Shape5, filter.shape as Shape5, strides, 1, pad)
    const g = geometryOf3D(info)
    const s = g.strides
    // The first phase has the most positions along every axis: its rows bound every slice's.
    const rows = g.batch * g.inDims.slice(0, 3).reduce((a, d, i) => a * Math.ceil(d / (s[i] as number)), 1)
    const ci = g.inDims[3]
    return runTiledGemm(backend, {
      snippets: convInputGradSnippets,
      inputs: [dy, filter],
      rows,
      cols: ci,
      slices: s[0] * s[1] * s[2],
      sliceMode: 'disjoint',
      gemm: [rows, ci, taps(g) * g.outDims[3], 0],
      uniformData: convUniformData(g),
      outShape: info.inShape,
    })
  })
}

/** The kernels above by the TF.js kernel they replace. */
export const tiledConvKernels: ReadonlyArray<readonly [string, (stock: KernelConfig) => KernelConfig]> = [
  ['Conv3D', tiledConv3d],
  ['Conv3DBackpropFilterV2', tiledConv3dBackpropFilter],
  ['Conv3DBackpropInputV2', tiledConv3dBackpropInput],
  ['Conv2DBackpropFilter', tiledConv2dBackpropFilter],
]
