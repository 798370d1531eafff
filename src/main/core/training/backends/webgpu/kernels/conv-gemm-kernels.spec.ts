// The tiled convolution kernels on webgpu (here Mesa's llvmpipe, forced) against the cpu backend, and the
// gradients of tf.conv2d / tf.conv3d through them against finite differences of the forward on cpu.
// Shapes are small (llvmpipe is slow) but odd: channels not multiples of 4, batch > 1, partial tiles in
// both m and n, split-K, every stride phase of a transposed convolution including empty ones.
import * as tf from '@tensorflow/tfjs'
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { createRng } from '../../../../random/rng'
import { forceWebgpuForSpec } from '../parity.spec-helpers'
import { numericGradients, randomArg, relativeError, type Arg, type Op } from '../../../kernels/finite-difference'
import { CPU_TOLERANCE, FD_TOLERANCE } from '../../../kernels/gradient-check.spec-helpers'
import { isTiledConvKernel, tiledConvKernels } from './conv-gemm-kernels'
import { TiledGemmProgram } from './tiled-gemm'

/** Why webgpu could not be forced here (no Dawn, no adapter at all), or null when it is active. */
const unavailable = await forceWebgpuForSpec()

/** Agreement with the cpu backend: the kernels only reorder float32 sums. */
const PARITY = 1e-4

/** A kernel call: its inputs as plain data and its attributes. */
interface KernelCase {
  readonly name: string
  readonly inputs: Record<string, Arg>
  readonly attrs: Record<string, unknown>
}

let seed = 1
/** Random inputs of the given shapes (a fresh seed each call). */
function args(shapes: Record<string, number[]>): Record<string, Arg> {
  const rng = createRng(seed++)
  return Object.fromEntries(Object.entries(shapes).map(([k, shape]) => [k, randomArg(rng, shape)]))
}

/** The kernel's result on the active backend, read back asynchronously (webgpu cannot read synchronously). */
async function runKernel(c: KernelCase): Promise<Float32Array> {
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, a]) => [k, tf.tensor(a.data, a.shape)]))
  const out = tf.engine().runKernel(c.name, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor
  const data = (await out.data()) as Float32Array
  tf.dispose([out, ...Object.values(inputs)])
  return data
}

let dispatches: MockInstance
/** The tiled programs dispatched since the last call. */
function tiledDispatches(): number {
  const n = dispatches.mock.calls.filter(([program]) => program instanceof TiledGemmProgram).length
  dispatches.mockClear()
  return n
}

/** The webgpu result's error against cpu's, and whether the tiled kernel computed it. */
async function parity(c: KernelCase): Promise<{ error: number; tiled: boolean }> {
  tiledDispatches()
  const gpu = await runKernel(c)
  const tiled = tiledDispatches() > 0
  await tf.setBackend('cpu')
  const cpu = await runKernel(c)
  await tf.setBackend('webgpu')
  return { error: relativeError(gpu, cpu), tiled }
}

/** tf.grads of Σ w·op(args) on the active backend, read back asynchronously. */
async function gradientsAsync(op: Op, a: readonly Arg[], w: Arg): Promise<Float32Array[]> {
  const grads = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => op(...ts))(a.map((x) => tf.tensor(x.data, x.shape)), tf.tensor(w.data, w.shape)))
  const data = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array))
  tf.dispose(grads)
  return data
}

/** Gradients on webgpu against central differences of the forward on cpu and against cpu's tf.grads. */
async function gradientErrors(op: Op, a: Arg[], outShape: number[]): Promise<{ fd: number[]; cpu: number[] }> {
  const w = randomArg(createRng(seed++), outShape)
  const gpu = await gradientsAsync(op, a, w)
  await tf.setBackend('cpu')
  // Linear in each argument: the step has no truncation error, a large one keeps rounding small.
  const numeric = numericGradients(op, a, w, 0.5)
  const cpu = await gradientsAsync(op, a, w)
  await tf.setBackend('webgpu')
  return { fd: gpu.map((g, i) => relativeError(g, numeric[i] as Float64Array)), cpu: gpu.map((g, i) => relativeError(g, cpu[i] as Float32Array)) }
}

const conv3dCase = (x: number[], f: number[], strides: number, pad: 'same' | 'valid', dilations = 1): KernelCase => ({
  name: 'Conv3D',
  inputs: args({ x, filter: f }),
  attrs: { strides: [strides, strides, strides], pad, dataFormat: 'NDHWC', dilations: [dilations, dilations, dilations] },
})

/** The dy shape of a 3D convolution of x by a filter. */
function out3d(x: number[], f: number[], strides: number, pad: 'same' | 'valid'): number[] {
  return tf.backend_util.computeConv3DInfo(x as never, f as never, strides, 1, pad).outShape
}

const filter3dCase = (x: number[], f: number[], strides: number, pad: 'same' | 'valid'): KernelCase => ({
  name: 'Conv3DBackpropFilterV2',
  inputs: args({ x, dy: out3d(x, f, strides, pad) }),
  attrs: { strides: [strides, strides, strides], pad, filterShape: f },
})

const input3dCase = (x: number[], f: number[], strides: number, pad: 'same' | 'valid'): KernelCase => ({
  name: 'Conv3DBackpropInputV2',
  inputs: args({ dy: out3d(x, f, strides, pad), filter: f }),
  attrs: { strides: [strides, strides, strides], pad, inputShape: x },
})

const filter2dCase = (
  x: number[],
  f: number[],
  strides: number,
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): KernelCase => {
  const info = tf.backend_util.computeConv2DInfo(x as never, f as never, strides, 1, pad, dimRoundingMode, false, dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst')
  return { name: 'Conv2DBackpropFilter', inputs: args({ x, dy: info.outShape }), attrs: { strides: [strides, strides], pad, dataFormat, dimRoundingMode, filterShape: f } }
}

/** Geometries for every 3D kernel: [x shape, filter shape, stride, pad]. */
const geometries3d: [number[], number[], number, 'same' | 'valid'][] = [
  [[2, 5, 6, 7, 3], [3, 3, 3, 3, 5], 1, 'same'], // odd sizes, batch 2, ci 3, co 5
  [[1, 7, 6, 5, 4], [2, 2, 2, 4, 6], 2, 'valid'], // a U-Net's down/upsampling
  [[1, 6, 5, 7, 2], [3, 3, 3, 2, 20], 2, 'same'], // co 20: a partly filled n tile; phases with 1 or 2 taps
  [[1, 9, 9, 9, 6], [3, 3, 3, 6, 3], 1, 'valid'], // m over several 128-row tiles, the last partial
  [[1, 4, 4, 4, 5], [1, 1, 1, 5, 70], 1, 'same'], // n over two 64-wide tiles
  [[1, 7, 7, 7, 2], [2, 2, 2, 2, 3], 3, 'valid'], // stride 3 > filter 2: phases without a single tap
]

describe.skipIf(unavailable !== null)(`tiled convolutions on webgpu${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu')
    dispatches = vi.spyOn(tf.backend() as WebGPUBackend, 'runWebGPUProgram')
  })
  afterAll(() => dispatches.mockRestore())

  it('replaces the stock webgpu kernels once the backend is selected', () => {
    for (const [name] of tiledConvKernels) expect(isTiledConvKernel(tf.getKernel(name, 'webgpu')), name).toBe(true)
    expect(isTiledConvKernel(tf.getKernel('Conv2D', 'webgpu'))).toBe(false)
  })

  it('Conv3D matches cpu', async () => {
    const cases = [...geometries3d.map(([x, f, s, p]) => conv3dCase(x, f, s, p)), conv3dCase([1, 2, 2, 2, 40], [3, 3, 3, 40, 8], 1, 'same') /* split-K: k = 1080 */]
    for (const c of cases) {
      const { error, tiled } = await parity(c)
      expect(tiled, JSON.stringify(c.attrs)).toBe(true)
      expect(error, JSON.stringify(c.inputs.x?.shape)).toBeLessThan(PARITY)
    }
  })

  it('Conv3DBackpropFilterV2 matches cpu', async () => {
    const cases = [...geometries3d.map(([x, f, s, p]) => filter3dCase(x, f, s, p)), filter3dCase([2, 8, 8, 8, 3], [3, 3, 3, 3, 5], 1, 'same') /* split-K: k = 1024 */]
    for (const c of cases) {
      const { error, tiled } = await parity(c)
      expect(tiled).toBe(true)
      expect(error, JSON.stringify(c.inputs.x?.shape)).toBeLessThan(PARITY)
    }
  })

  it('Conv3DBackpropInputV2 matches cpu, every stride phase', async () => {
    const cases = [...geometries3d.map(([x, f, s, p]) => input3dCase(x, f, s, p)), input3dCase([2, 5, 4, 3, 3], [3, 3, 3, 3, 2], 2, 'valid')]
    for (const c of cases) {
      const { error, tiled } = await parity(c)
      expect(tiled).toBe(true)
      expect(error, JSON.stringify(c.attrs.inputShape)).toBeLessThan(PARITY)
    }
  })

  it('Conv2DBackpropFilter matches cpu, with explicit padding and rounding modes', async () => {
    const cases = [
      filter2dCase([2, 9, 7, 3], [3, 3, 3, 5], 2, 'same'),
      filter2dCase([1, 8, 8, 4], [2, 2, 4, 6], 2, 'valid'),
      filter2dCase([1, 6, 7, 3], [3, 2, 3, 4], 1, [[0, 0], [1, 2], [0, 1], [0, 0]]),
      filter2dCase([1, 8, 8, 2], [3, 3, 2, 3], 2, 1, 'ceil'),
      filter2dCase([1, 9, 8, 2], [3, 3, 2, 3], 2, 1, 'floor'),
      filter2dCase([2, 16, 16, 2], [3, 3, 2, 4], 1, 'same'), // split-K: k = 512
    ]
    for (const c of cases) {
      const { error, tiled } = await parity(c)
      expect(tiled).toBe(true)
      expect(error, JSON.stringify(c.attrs)).toBeLessThan(PARITY)
    }
  })

  it('leaves no buffers behind (views, split-K partial sums)', async () => {
    const cases = [filter3dCase([2, 8, 8, 8, 3], [3, 3, 3, 3, 5], 1, 'same'), input3dCase([1, 7, 6, 5, 4], [2, 2, 2, 4, 6], 2, 'valid'), conv3dCase([1, 2, 2, 2, 40], [3, 3, 3, 40, 8], 1, 'same')]
    for (const c of cases) await runKernel(c) // compiles first: the pipeline cache is not a leak
    const before = tf.backend().numDataIds()
    for (const c of cases) await runKernel(c)
    expect(tf.backend().numDataIds()).toBe(before)
  })

  it('hands dilations and channels-first layouts to the stock kernels', async () => {
    for (const c of [conv3dCase([1, 7, 7, 7, 2], [3, 3, 3, 2, 3], 1, 'same', 2), filter2dCase([1, 3, 6, 5], [3, 3, 3, 2], 1, 'same', undefined, 'NCHW')]) {
      const { error, tiled } = await parity(c)
      expect(tiled, c.name).toBe(false)
      expect(error, c.name).toBeLessThan(PARITY)
    }
  })

  it('tf.grad of conv3d on webgpu matches finite differences on cpu', async () => {
    const cases: [number[], number[], number, 'same' | 'valid'][] = [
      [[1, 4, 5, 3, 2], [3, 3, 3, 2, 3], 1, 'same'],
      [[2, 5, 4, 6, 3], [2, 2, 2, 3, 2], 2, 'valid'],
      [[1, 5, 5, 4, 2], [3, 3, 3, 2, 3], 2, 'same'],
    ]
    for (const [x, f, s, pad] of cases) {
      const op: Op = (a, b) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, s, pad)
      const a = Object.values(args({ x, f }))
      tiledDispatches()
      const errors = await gradientErrors(op, a, out3d(x, f, s, pad))
      // The forward pass and both gradients: Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2.
      expect(tiledDispatches()).toBeGreaterThanOrEqual(3)
      errors.fd.forEach((e, i) => expect(e, `${JSON.stringify(x)} argument ${i} vs finite differences`).toBeLessThan(FD_TOLERANCE))
      errors.cpu.forEach((e, i) => expect(e, `${JSON.stringify(x)} argument ${i} vs cpu`).toBeLessThan(CPU_TOLERANCE))
    }
  })

  it('tf.grad of conv2d on webgpu matches finite differences on cpu', async () => {
    const cases: [number[], number[], number, 'same' | 'valid'][] = [
      [[2, 5, 6, 3], [3, 3, 3, 4], 2, 'same'],
      [[1, 6, 5, 2], [2, 3, 2, 3], 1, 'valid'],
    ]
    for (const [x, f, s, pad] of cases) {
      const op: Op = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad)
      const a = Object.values(args({ x, f }))
      const outShape = tf.backend_util.computeConv2DInfo(x as never, f as never, s, 1, pad).outShape
      tiledDispatches()
      const errors = await gradientErrors(op, a, outShape)
      // The filter gradient (the forward pass and the input gradient are TF.js's own tiled kernels).
      expect(tiledDispatches()).toBeGreaterThanOrEqual(1)
      errors.fd.forEach((e, i) => expect(e, `${JSON.stringify(x)} argument ${i} vs finite differences`).toBeLessThan(FD_TOLERANCE))
      errors.cpu.forEach((e, i) => expect(e, `${JSON.stringify(x)} argument ${i} vs cpu`).toBeLessThan(CPU_TOLERANCE))
    }
  })
})
