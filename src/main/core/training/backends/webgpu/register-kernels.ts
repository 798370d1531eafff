/**
 * The project's kernels for TF.js's webgpu backend, registered over the stock ones once the backend
 * exists: element-wise broadcasts of rank ≥ 5 on rank-4 views and rank-5 selects on flat ones (broadcast-views.ts), and tiled implicit-GEMM
 * convolutions where the package's are naive (kernels/conv-gemm-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs'
import type { KernelConfig } from '@tensorflow/tfjs'
import { binaryKernelNames, flatSelectKernel, rank4BinaryKernel } from './broadcast-views'
import { tiledConvKernels } from './kernels/conv-gemm-kernels'

const WEBGPU = 'webgpu'

/** True once the project's webgpu kernels are registered in this thread. */
let registered = false

/** Replaces `name`'s webgpu kernel with `make(stock)`; a kernel the package does not have is skipped. */
function wrap(name: string, make: (stock: KernelConfig) => KernelConfig): void {
  const stock = tf.getKernel(name, WEBGPU)
  if (!stock) return
  // Unregister first: registering over an existing kernel works but logs a warning.
  tf.unregisterKernel(name, WEBGPU)
  tf.registerKernel(make(stock))
}

/** Registers the project's webgpu kernels (idempotent; after @tensorflow/tfjs-backend-webgpu is imported). */
export function registerProjectWebgpuKernels(): void {
  if (registered) return
  for (const name of binaryKernelNames) wrap(name, rank4BinaryKernel)
  wrap('Select', flatSelectKernel)
  for (const [name, make] of tiledConvKernels) wrap(name, make)
  registered = true
}
