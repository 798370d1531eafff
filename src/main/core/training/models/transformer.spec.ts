// The transformer pieces against values computed by hand (layer norm, exact GELU, softmax attention on two tokens),
// the q/k/v order of MONAI's fused qkv, SegFormer's sequence reduction, the linear layer's layout and inits, and the
// gradients of layer norm, GELU and attention against finite differences on wasm and against the cpu backend.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../random/rng'
import { configureWasm } from '../backends/wasm/setup'
import { randomArg, relativeError, wasmGradientErrors } from '../kernels/finite-difference'
import { NetParams } from './params'
import { efficientSelfAttention, gelu, layerNorm, layerNormalise, linear, multiHeadAttention, vitSelfAttention } from './transformer'

beforeAll(async () => {
  configureWasm()
  expect(await tf.setBackend('wasm')).toBe(true)
})

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] as number)), `entry ${i}: ${a} vs ${expected[i]}`).toBeLessThan(tolerance))
}

describe('transformer pieces', () => {
  it('layer norm: [1, 2, 3, 4] has mean 2.5 and biased variance 1.25, then γ and β per feature', () => {
    tf.tidy(() => {
      const y = layerNormalise(tf.tensor([[1, 2, 3, 4]]), tf.tensor([1, 2, 1, 1]), tf.tensor([0, 0, 1, 0]), 1e-5)
      // x̂ = (x − 2.5)/√(1.25 + 1e-5): ±1.3416354, ±0.4472118; then ·γ + β.
      expectClose(values(y), [-1.3416354, -0.8944236, 1.4472118, 1.3416354], 1e-6)
    })
    const params = new NetParams(createRng(1))
    const norm = layerNorm(params, 'n', 3, 1e-6)
    expect([...params.weights.keys()]).toEqual(['n.weight', 'n.bias'])
    expect(values(params.weights.get('n.weight') as tf.Tensor)).toEqual([1, 1, 1])
    tf.tidy(() => expectClose(values(norm(tf.tensor([[[2, 2, 5]]]))), [-Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT2].map((v) => v / Math.sqrt(1 + 1e-6 / 2)), 1e-6))
    params.dispose()
  })

  it('GELU is the exact x·Φ(x) (torch’s default), not the tanh approximation', () => {
    tf.tidy(() => {
      const y = values(gelu(tf.tensor([-3, -1, 0, 0.5, 1, 2])))
      expectClose(y, [-0.0040496941, -0.1586552539, 0, 0.3457312306, 0.8413447461, 1.9544997361], 1e-6)
      // The tanh approximation gives 0.8411920 at 1: 1.5e-4 away.
      expect(Math.abs((y[4] as number) - 0.841192)).toBeGreaterThan(1e-4)
    })
  })

  it('attention on two tokens: softmax(q·kᵀ/√d)·v by hand, and heads computed independently', () => {
    tf.tidy(() => {
      // One head, d = 2: scores I/√2, so each token puts p = e^{1/√2}/(e^{1/√2} + 1) = 0.6697615 on itself.
      const q = tf.tensor([[[1, 0], [0, 1]]])
      const v = tf.tensor([[[1, 2], [3, 4]]])
      expectClose(values(multiHeadAttention(q, q, v, 1)), [1.6604769, 2.6604769, 2.3395231, 3.3395231], 1e-6)
      // Two heads of d = 2 over four features equal each head alone, concatenated.
      const rng = createRng(2)
      const [q2, k2, v2] = [3, 5, 5].map((n) => tf.tensor(randomArg(rng, [2, n, 4]).data, [2, n, 4]))
      const both = multiHeadAttention(q2 as tf.Tensor, k2 as tf.Tensor, v2 as tf.Tensor, 2)
      const half = (t: tf.Tensor, h: number): tf.Tensor => tf.slice(t, [0, 0, 2 * h], [-1, -1, 2])
      const separate = tf.concat([0, 1].map((h) => multiHeadAttention(half(q2 as tf.Tensor, h), half(k2 as tf.Tensor, h), half(v2 as tf.Tensor, h), 1)), -1)
      expect(relativeError(values(both), values(separate))).toBeLessThan(1e-6)
    })
  })

  it("MONAI's SABlock reads q, k, v in that order from its fused qkv (no bias) and projects with out_proj", () => {
    const params = new NetParams(createRng(3))
    const attention = vitSelfAttention(params, 'attn', 2, 1)
    expect([...params.weights.keys()]).toEqual(['attn.out_proj.weight', 'attn.out_proj.bias', 'attn.qkv.weight'])
    // q = k = 0 (uniform attention) and v = x: every token gets the mean of the tokens, then out_proj = identity.
    ;(params.weights.get('attn.qkv.weight') as tf.Variable).assign(tf.tensor([[0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]]))
    ;(params.weights.get('attn.out_proj.weight') as tf.Variable).assign(tf.tensor([[1, 0], [0, 1]]))
    ;(params.weights.get('attn.out_proj.bias') as tf.Variable).assign(tf.tensor([0, 0]))
    tf.tidy(() => expectClose(values(attention(tf.tensor([[[1, 2], [3, 6], [5, 1]]]))), [3, 3, 3, 3, 3, 3], 1e-6))
    params.dispose()
  })

  it("SegFormer's sequence reduction: a 2×2 token grid reduced by 2 leaves one key, so every query gets the same output", () => {
    const params = new NetParams(createRng(4))
    const attention = efficientSelfAttention(params, 'attn', 4, 2, 2)
    expect([...params.weights.keys()]).toEqual(['attn.q.weight', 'attn.q.bias', 'attn.kv.weight', 'attn.kv.bias', 'attn.proj.weight', 'attn.proj.bias', 'attn.sr.weight', 'attn.sr.bias', 'attn.norm.weight', 'attn.norm.bias'])
    expect(params.weights.get('attn.sr.weight')?.shape).toEqual([2, 2, 4, 4])
    expect(params.layouts.get('attn.sr.weight')).toBe('conv')
    tf.tidy(() => {
      const y = attention(tf.tensor(randomArg(createRng(5), [1, 4, 4]).data, [1, 4, 4]), 2, 2)
      const rows = values(y)
      for (let t = 1; t < 4; t++) expectClose(rows.slice(4 * t, 4 * t + 4), rows.slice(0, 4), 1e-6)
      expect(() => attention(tf.zeros([1, 6, 4]), 2, 3)).toThrow(/2×3 token grid does not reduce by 2/)
    })
    const plain = efficientSelfAttention(params, 'plain', 4, 1, 1)
    expect(params.weights.has('plain.sr.weight')).toBe(false)
    tf.tidy(() => {
      expect(plain(tf.ones([2, 3, 4]), 1, 3).shape).toEqual([2, 3, 4])
    })
    params.dispose()
  })

  it('linear: [in, out] weights in layout "linear" on the last axis; PyTorch or ViT init', () => {
    const params = new NetParams(createRng(6))
    const torchInit = linear(params, 'a', 64, 32, 'torch')
    linear(params, 'b', 64, 32, 'vit')
    linear(params, 'c', 4, 3, 'torch', false)
    expect(params.weights.get('a.weight')?.shape).toEqual([64, 32])
    expect(params.layouts.get('a.weight')).toBe('linear')
    expect(params.layouts.get('a.bias')).toBe('same')
    expect(params.weights.has('c.bias')).toBe(false)
    const a = values(params.weights.get('a.weight') as tf.Tensor)
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / 8)
    expect(Math.max(...values(params.weights.get('a.bias') as tf.Tensor).map(Math.abs))).toBeGreaterThan(0)
    const b = values(params.weights.get('b.weight') as tf.Tensor)
    const std = Math.sqrt(b.reduce((s, v) => s + v * v, 0) / b.length)
    expect(std).toBeGreaterThan(0.018)
    expect(std).toBeLessThan(0.022)
    expect(values(params.weights.get('b.bias') as tf.Tensor).every((v) => v === 0)).toBe(true)
    tf.tidy(() => {
      const x = tf.tensor(randomArg(createRng(7), [2, 3, 64]).data, [2, 3, 64])
      const y = torchInit(x)
      expect(y.shape).toEqual([2, 3, 32])
      const expected = tf.add(tf.matMul(tf.reshape(x, [6, 64]), params.weights.get('a.weight') as tf.Tensor2D), params.weights.get('a.bias') as tf.Tensor)
      expect(relativeError(values(y), values(expected))).toBeLessThan(1e-6)
      expect(() => torchInit(tf.zeros([2, 5]))).toThrow(/a: input has 5 features, the layer expects 64/)
    })
    params.dispose()
  })

  it('has layer-norm, GELU and attention gradients that match finite differences on wasm and the cpu backend', async () => {
    const rng = createRng(8)
    const cases: [string, (...ts: tf.Tensor[]) => tf.Tensor, ReturnType<typeof randomArg>[], number[]][] = [
      ['layer norm', (x, g, b) => layerNormalise(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, 1e-5), [randomArg(rng, [2, 3, 5]), randomArg(rng, [5]), randomArg(rng, [5])], [2, 3, 5]],
      ['gelu', (x) => gelu(x as tf.Tensor), [randomArg(rng, [4, 6])], [4, 6]],
      ['attention', (q, k, v) => multiHeadAttention(q as tf.Tensor, k as tf.Tensor, v as tf.Tensor, 2), [randomArg(rng, [2, 3, 4]), randomArg(rng, [2, 5, 4]), randomArg(rng, [2, 5, 4])], [2, 3, 4]],
    ]
    for (const [name, op, args, outShape] of cases) {
      const errors = await wasmGradientErrors(op, args, outShape, 9, 1e-2)
      for (const e of errors.againstFiniteDifferences) expect(e, `${name} against finite differences`).toBeLessThan(1e-3)
      for (const e of errors.againstCpu) expect(e, `${name} against cpu`).toBeLessThan(1e-5)
    }
  })
})
