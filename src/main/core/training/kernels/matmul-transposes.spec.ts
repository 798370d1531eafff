// The BatchMatMul wrapper: every transpose-flag combination, 2-D and batched, against a float64 loop.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg } from './finite-difference'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

describe('BatchMatMul with transpose flags on wasm', () => {
  const flags = [[false, false], [true, false], [false, true], [true, true]] as const
  it.each(flags)('transposeA %s, transposeB %s, batched and not', (ta, tb) => {
    const rng = createRng(ta ? (tb ? 4 : 3) : tb ? 2 : 1)
    for (const batch of [1, 3]) {
      const [m, k, n] = [4, 5, 3]
      const a = randomArg(rng, [batch, ...(ta ? [k, m] : [m, k])])
      const b = randomArg(rng, [batch, ...(tb ? [n, k] : [k, n])])
      const y = tf.tidy(() => tf.matMul(tf.tensor3d(a.data, a.shape as [number, number, number]), tf.tensor3d(b.data, b.shape as [number, number, number]), ta, tb).dataSync())
      for (let s = 0; s < batch; s++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let sum = 0
        for (let q = 0; q < k; q++) {
          const av = a.data[s * m * k + (ta ? q * m + i : i * k + q)]!
          const bv = b.data[s * k * n + (tb ? j * k + q : q * n + j)]!
          sum += av * bv
        }
        expect(y[(s * m + i) * n + j]).toBeCloseTo(sum, 5)
      }
    }
  })
})
