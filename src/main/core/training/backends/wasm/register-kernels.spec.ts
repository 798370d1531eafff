import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureWasm } from './setup'
import { projectWasmKernelsRegistered, registerProjectWasmKernels, restoreStockWasmKernels } from './register-kernels'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})
afterAll(() => registerProjectWasmKernels())

describe('registering and restoring the wasm kernels', () => {
  it('restores the stock kernels (2D training fails without ours) and registers ours again', () => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D
    const f = tf.ones([3, 3, 1, 1]) as tf.Tensor4D
    const filterGrad = () => tf.tidy(() => tf.grad((b: tf.Tensor) => tf.conv2d(x, b as tf.Tensor4D, 1, 'same'))(f).dataSync())
    restoreStockWasmKernels()
    expect(projectWasmKernelsRegistered()).toBe(false)
    expect(filterGrad).toThrow(/Conv2DBackpropFilter/)
    // The stock forward still works after its setup was re-run.
    expect(Array.from(tf.conv2d(x, f, 1, 'valid').dataSync())).toEqual([9, 9, 9, 9])
    registerProjectWasmKernels()
    expect(projectWasmKernelsRegistered()).toBe(true)
    expect(Array.from(filterGrad())).toEqual([9, 12, 9, 12, 16, 12, 9, 12, 9])
    tf.dispose([x, f])
  })
})
