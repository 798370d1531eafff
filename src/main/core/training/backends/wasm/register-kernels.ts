/**
 * Registers the project's convolution kernels for TF.js's wasm backend, replacing or adding:
 * - `Conv2DBackpropFilter` (missing on wasm: 2D training fails without it) and `Conv2DBackpropInput`
 *   (correct but a plain loop; also the forward pass of conv2dTranspose) — through forward conv2d;
 * - `Conv3D`, `Conv3DBackpropInputV2` (wrong on wasm), `Conv3DBackpropFilterV2` (wrong at stride 2) —
 *   as sums of conv2d over depth slabs;
 * - `Conv2D` and `FusedConv2D` wrap the stock kernels, handing them 'same' as explicit pads: the stock ones
 *   return wrong values for some 'same' cases where the kernel is smaller than the stride (e.g. stride 3,
 *   kernel 2, width 6 — found by this project's tests), and explicit pads are computed correctly.
 * - `Conv2D` whose kernel equals its stride and tiles the input (the gradient of the U-Net's 2×2 stride-2
 *   transposed conv) is one matrix product (conv2d-patches.ts); so are both gradients of such convs.
 * - `MaxPoolGrad`: the stock one drops the gradient of every window whose maximum is ≤ 0 (maxpool-grad.ts).
 * - `BatchMatMul` wraps the stock kernel, materialising transposes: its transpose flags are ~10× slower.
 * Kernels, not gradient overrides, because the registry is per backend: tf.conv2d, tf.conv3d, fused convs
 * and tf.layers keep TF.js's own gradient functions, which call these kernels on wasm, while cpu and
 * tensorflow keep their native ones. A kernel may return a Tensor built from ops: the engine stops tape
 * recording inside kernels and passes a returned Tensor through as the output.
 */
import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'
import { checkLayout, checkNoDilation, checkPadding, explicitPadding2d, tupleOf, type Padding } from '../../kernels/conv-geometry'
import { conv2dFilterGradient, conv2dInputGradient } from '../../kernels/conv2d-grads'
import { isPatchConv, patchConv2d } from '../../kernels/conv2d-patches'
import { conv3dBySlabs, conv3dFilterGradient, conv3dInputGradient } from '../../kernels/conv3d-slabs'
import { matMulWithoutTransposeFlags } from '../../kernels/matmul-transposes'
import { maxPool2dGradient } from '../../kernels/maxpool-grad'

const WASM = 'wasm'

/** The input as the Tensor the engine passed in (ops always pass Tensors; a bare TensorInfo is refused). */
function tensorArg<T extends tf.Tensor>(kernel: string, inputs: NamedTensorInfoMap, name: string): T {
  const t: TensorInfo | undefined = inputs[name]
  if (!(t instanceof tf.Tensor)) throw new Error(`${kernel}: input '${name}' is not a tf.Tensor`)
  return t as T
}

/** A 4- or 5-tuple shape attribute as numbers. */
function shapeAttr<N extends 4 | 5>(kernel: string, attrs: NamedAttrMap, name: string, n: N): number[] {
  const v = attrs[name]
  if (!Array.isArray(v) || v.length !== n || !v.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw new Error(`${kernel}: attribute ${name} ${JSON.stringify(v)} is not a shape of rank ${n}`)
  }
  return v as number[]
}

/** Builds a wasm kernel config whose function computes with TF.js ops. */
function opKernel(kernelName: string, compute: (inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => tf.Tensor): KernelConfig {
  return { kernelName, backendName: WASM, kernelFunc: ({ inputs, attrs }) => compute(inputs, attrs ?? {}) }
}

/** The project's wasm kernels, one config per replaced or added kernel. */
export const projectWasmKernels: readonly KernelConfig[] = [
  opKernel('Conv2DBackpropInput', (inputs, attrs) => {
    const k = 'Conv2DBackpropInput'
    checkLayout(k, attrs)
    const s = tupleOf(k, 'strides', attrs.strides, 2)
    const shape = shapeAttr(k, attrs, 'inputShape', 4)
    return conv2dInputGradient(tensorArg(k, inputs, 'dy'), tensorArg(k, inputs, 'filter'), shape as [number, number, number, number], [s[0]!, s[1]!], checkPadding(k, attrs.pad))
  }),
  opKernel('Conv2DBackpropFilter', (inputs, attrs) => {
    const k = 'Conv2DBackpropFilter'
    checkLayout(k, attrs)
    const s = tupleOf(k, 'strides', attrs.strides, 2)
    const shape = shapeAttr(k, attrs, 'filterShape', 4)
    return conv2dFilterGradient(tensorArg(k, inputs, 'x'), tensorArg(k, inputs, 'dy'), shape as [number, number, number, number], [s[0]!, s[1]!], checkPadding(k, attrs.pad))
  }),
  opKernel('Conv3D', (inputs, attrs) => {
    const k = 'Conv3D'
    checkLayout(k, attrs)
    checkNoDilation(k, attrs.dilations, 3)
    const s = tupleOf(k, 'strides', attrs.strides, 3)
    return conv3dBySlabs(tensorArg(k, inputs, 'x'), tensorArg(k, inputs, 'filter'), [s[0]!, s[1]!, s[2]!], checkPadding(k, attrs.pad))
  }),
  opKernel('Conv3DBackpropInputV2', (inputs, attrs) => {
    const k = 'Conv3DBackpropInputV2'
    checkLayout(k, attrs)
    const s = tupleOf(k, 'strides', attrs.strides, 3)
    const shape = shapeAttr(k, attrs, 'inputShape', 5) as [number, number, number, number, number]
    return conv3dInputGradient(tensorArg(k, inputs, 'dy'), tensorArg(k, inputs, 'filter'), shape, [s[0]!, s[1]!, s[2]!], checkPadding(k, attrs.pad))
  }),
  opKernel('Conv3DBackpropFilterV2', (inputs, attrs) => {
    const k = 'Conv3DBackpropFilterV2'
    checkLayout(k, attrs)
    const s = tupleOf(k, 'strides', attrs.strides, 3)
    const shape = shapeAttr(k, attrs, 'filterShape', 5) as [number, number, number, number, number]
    return conv3dFilterGradient(tensorArg(k, inputs, 'x'), tensorArg(k, inputs, 'dy'), shape, [s[0]!, s[1]!, s[2]!], checkPadding(k, attrs.pad))
  }),
  opKernel('MaxPoolGrad', (inputs, attrs) => {
    const k = 'MaxPoolGrad'
    const x = tensorArg<tf.Tensor4D>(k, inputs, 'input')
    const dy = tensorArg<tf.Tensor4D>(k, inputs, 'dy')
    const info = tf.backend_util.computePool2DInfo(
      x.shape,
      attrs.filterSize as number | [number, number],
      attrs.strides as number | [number, number],
      1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    )
    const dx = maxPool2dGradient(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, {
      batch: info.batchSize,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      channels: info.inChannels,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      filterHeight: info.effectiveFilterHeight,
      filterWidth: info.effectiveFilterWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    })
    return tf.tensor4d(dx, x.shape)
  }),
]

/**
 * A wrapper of the stock wasm kernel `name` that rewrites 'same' padding as explicit pads (NHWC; other
 * layouts and paddings pass through untouched). Looks the stock kernel up when registering.
 */
function samePadFix(kernelName: 'Conv2D' | 'FusedConv2D', stockConfig: KernelConfig): KernelConfig {
  return {
    kernelName,
    backendName: WASM,
    // The stock kernel binds its wasm function when the backend initialises; the wrapper must keep that.
    ...(stockConfig.setupFunc ? { setupFunc: stockConfig.setupFunc } : {}),
    ...(stockConfig.disposeFunc ? { disposeFunc: stockConfig.disposeFunc } : {}),
    kernelFunc: ({ inputs, attrs, backend }) => {
      const a = attrs ?? {}
      const x = inputs.x
      const filter = inputs.filter
      if (kernelName === 'Conv2D' && x instanceof tf.Tensor && filter instanceof tf.Tensor) {
        const patch = patchConvOrNull(x as tf.Tensor4D, filter as tf.Tensor4D, a)
        if (patch) return patch
      }
      if (a.pad !== 'same' || (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') || !x || !filter) {
        return stockConfig.kernelFunc({ inputs, attrs: a, backend })
      }
      const s = tupleOf(kernelName, 'strides', a.strides, 2)
      const d = tupleOf(kernelName, 'dilations', a.dilations ?? 1, 2)
      // 'same' is defined on the dilated kernel's extent.
      const kh = ((filter.shape[0] as number) - 1) * d[0]! + 1
      const kw = ((filter.shape[1] as number) - 1) * d[1]! + 1
      const pad = explicitPadding2d([x.shape[1] as number, x.shape[2] as number], [kh, kw], [s[0]!, s[1]!], 'same')
      return stockConfig.kernelFunc({ inputs, attrs: { ...a, pad }, backend })
    },
  }
}

/**
 * conv2d(x, filter) as one matrix product when the kernel tiles the input (kernel = stride, no padding,
 * dilation 1, NHWC, no rounding mode; see conv2d-patches.ts), else null for the stock kernel.
 */
function patchConvOrNull(x: tf.Tensor4D, filter: tf.Tensor4D, a: NamedAttrMap): tf.Tensor4D | null {
  const pad: Padding | null = a.pad === 'same' ? 'same' : a.pad === 'valid' ? 'valid' : null
  if (pad === null || (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')) return null
  if (a.dimRoundingMode !== undefined && a.dimRoundingMode !== null) return null
  const d = a.dilations ?? 1
  if (!(d === 1 || (Array.isArray(d) && d.every((v) => v === 1)))) return null
  const s = a.strides
  const strides = typeof s === 'number' ? [s, s] : Array.isArray(s) && s.length === 2 ? (s as number[]) : null
  if (!strides || x.rank !== 4 || filter.rank !== 4) return null
  const [, h, w] = x.shape
  const [kh, kw] = filter.shape
  if (!isPatchConv([h, w], [kh, kw], [strides[0]!, strides[1]!], pad)) return null
  return patchConv2d(x, filter)
}

/** The stock wasm configs that registration replaced (undefined: the kernel did not exist), for restoring. */
let stock: Map<string, KernelConfig | undefined> | null = null

/** True while the project's wasm kernels are registered. */
export function projectWasmKernelsRegistered(): boolean {
  return stock !== null
}

/**
 * Registers the project's wasm kernels (idempotent). Import the wasm backend before calling this, or its
 * own registration, which runs on import, would replace these again.
 */
export function registerProjectWasmKernels(): void {
  if (stock !== null) return
  const saved = new Map<string, KernelConfig | undefined>()
  const wrappers: KernelConfig[] = []
  for (const name of ['Conv2D', 'FusedConv2D'] as const) {
    const existing = tf.getKernel(name, WASM)
    if (existing) wrappers.push(samePadFix(name, existing))
  }
  const matMul = tf.getKernel('BatchMatMul', WASM)
  if (matMul) wrappers.push(matMulWithoutTransposeFlags(matMul))
  for (const config of [...projectWasmKernels, ...wrappers]) {
    const existing = tf.getKernel(config.kernelName, WASM)
    saved.set(config.kernelName, existing)
    // Unregister first: registering over an existing kernel works but logs a warning.
    if (existing) tf.unregisterKernel(config.kernelName, WASM)
    tf.registerKernel(config)
  }
  stock = saved
}

/**
 * Puts the stock wasm kernels back (for the benchmark's stock-versus-project comparison). A stock kernel's
 * setup (binding its wasm function) only ran if it was registered when the backend initialised, so it is
 * re-run here when wasm is the active backend.
 */
export function restoreStockWasmKernels(): void {
  if (stock === null) return
  for (const [name, config] of stock) {
    tf.unregisterKernel(name, WASM)
    if (!config) continue
    tf.registerKernel(config)
    if (config.setupFunc && tf.getBackend() === WASM) config.setupFunc(tf.backend())
  }
  stock = null
}
