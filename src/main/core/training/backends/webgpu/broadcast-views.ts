/**
 * Rank-5 element-wise ops on TF.js 4.22's webgpu backend: its broadcasting BinaryOp shader indexes the
 * output coordinates, which for rank 5 are a WGSL struct ('vec5') that cannot be indexed. The shader then
 * fails to compile and the op returns garbage without throwing (measured: a 3D U-Net's loss off, its
 * gradients off by 1e6). Every broadcast of rank ≥ 5 is run instead on views of rank ≤ 4: adjacent axes
 * on which both operands agree (both full, or both broadcast) merge into one without changing the result.
 */
import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'

/** The shapes of an element-wise broadcast on merged axes. */
export interface CollapsedBroadcast {
  readonly a: number[]
  readonly b: number[]
}

/**
 * Merges adjacent axes of a NumPy-style broadcast of `aShape` with `bShape` where the two operands' roles
 * agree, returning the merged shapes (of equal rank), or null when the shapes do not broadcast.
 */
export function collapseBroadcast(aShape: readonly number[], bShape: readonly number[]): CollapsedBroadcast | null {
  const rank = Math.max(aShape.length, bShape.length)
  const a = [...new Array<number>(rank - aShape.length).fill(1), ...aShape]
  const b = [...new Array<number>(rank - bShape.length).fill(1), ...bShape]
  const outA: number[] = []
  const outB: number[] = []
  // 'a' = only a spans the axis, 'b' = only b, 'ab' = both; axes of extent 1 in both are dropped.
  let last: 'a' | 'b' | 'ab' | null = null
  for (let i = 0; i < rank; i++) {
    const da = a[i] as number
    const db = b[i] as number
    if (da !== db && da !== 1 && db !== 1) return null
    if (da === 1 && db === 1) continue
    const role = da === db ? 'ab' : da === 1 ? 'b' : 'a'
    if (role === last) {
      outA[outA.length - 1] = (outA[outA.length - 1] as number) * da
      outB[outB.length - 1] = (outB[outB.length - 1] as number) * db
    } else {
      outA.push(da)
      outB.push(db)
      last = role
    }
  }
  if (outA.length === 0) return { a: [1], b: [1] }
  return { a: outA, b: outB }
}

/** The element-wise kernels of tfjs-backend-webgpu 4.22 that share the broken broadcasting shader. */
export const binaryKernelNames = [
  'Add', 'Atan2', 'Equal', 'FloorDiv', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr',
  'Maximum', 'Minimum', 'Mod', 'Multiply', 'NotEqual', 'Pow', 'RealDiv', 'SquaredDifference', 'Sub',
] as const

/**
 * A wrapper of the stock binary kernel that runs a rank ≥ 5 op on merged views of rank ≤ 4 (a reshape on
 * webgpu only relabels the buffer) and hands the result back in the output's full shape.
 */
export function rank4BinaryKernel(stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { a, b } = args.inputs
      if (!a || !b || Math.max(a.shape.length, b.shape.length) < 5) return stock.kernelFunc(args)
      const collapsed = collapseBroadcast(a.shape, b.shape)
      // Shapes that do not broadcast get the stock kernel's own error; more than 4 merged axes are kept as
      // they are (no U-Net makes them) rather than guessed at.
      if (!collapsed || collapsed.a.length > 4) return stock.kernelFunc(args)
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
      const reshape = tf.getKernel('Reshape', stock.backendName)
      if (!reshape) return stock.kernelFunc(args)
      const view = (x: TensorInfo, shape: number[]): TensorInfo => reshape.kernelFunc({ inputs: { x }, attrs: { shape }, backend: args.backend }) as TensorInfo
      const a4 = view(a, collapsed.a)
      const b4 = view(b, collapsed.b)
      const out4 = stock.kernelFunc({ ...args, inputs: { a: a4, b: b4 } }) as TensorInfo
      const out = view(out4, outShape)
      const backend = args.backend as tf.KernelBackend
      for (const t of [a4, b4, out4]) backend.disposeData(t.dataId)
      return out
    },
  }
}

/**
 * A wrapper of the stock Select (tf.where) kernel, which refuses rank ≥ 5 ("Where for rank 5 is not yet
 * supported": a leaky ReLU's gradient in a 3D net meets it): when condition and both branches have one shape,
 * the op is element-wise, so it runs on flat views and the result takes the shape back.
 */
export function flatSelectKernel(stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { condition, t, e } = args.inputs
      if (!condition || !t || !e || t.shape.length < 5) return stock.kernelFunc(args)
      const same = (x: TensorInfo): boolean => x.shape.length === t.shape.length && x.shape.every((d, i) => d === t.shape[i])
      const reshape = tf.getKernel('Reshape', stock.backendName)
      if (!same(condition) || !same(e) || !reshape) return stock.kernelFunc(args)
      const size = t.shape.reduce((a, b) => a * b, 1)
      const view = (x: TensorInfo, shape: number[]): TensorInfo => reshape.kernelFunc({ inputs: { x }, attrs: { shape }, backend: args.backend }) as TensorInfo
      const flat = [view(condition, [size]), view(t, [size]), view(e, [size])] as const
      const out1 = stock.kernelFunc({ ...args, inputs: { condition: flat[0], t: flat[1], e: flat[2] } }) as TensorInfo
      const out = view(out1, [...t.shape])
      const backend = args.backend as tf.KernelBackend
      for (const x of [...flat, out1]) backend.disposeData(x.dataId)
      return out
    },
  }
}
