// The tiled GEMM's planning, which needs no GPU: tile shapes the shader's loops assume, and split-K plans
// that cover k exactly once.
import { describe, expect, it } from 'vitest'
import { chooseGemmTile, planSplitK, TILE_K, tileWorkgroupSize } from './tiled-gemm'

describe('chooseGemmTile', () => {
  it('covers narrow n without padding to 64 and keeps 32–256 threads, at least one per k of a step', () => {
    for (let n = 1; n <= 100; n++) {
      const tile = chooseGemmTile(n)
      const [x, y, z] = tileWorkgroupSize(tile)
      expect(tile.tileN).toBeGreaterThanOrEqual(Math.min(n, 64))
      if (n <= 64) expect(tile.tileN).toBeLessThan(2 * Math.max(n, 4))
      expect(Number.isInteger(x) && Number.isInteger(y) && z === 1, `n = ${n}`).toBe(true)
      expect(x * y).toBeGreaterThanOrEqual(Math.max(32, TILE_K))
      expect(x * y).toBeLessThanOrEqual(256)
    }
  })
})

describe('planSplitK', () => {
  it('cuts k into chunks of whole steps that cover it exactly once', () => {
    for (const [m, n, k, tiles] of [
      [432, 16, 8192, 7],
      [9, 4, 100_000, 1],
      [8, 8, 1080, 1],
      [1728, 64, 65_536, 27],
      [8192, 16, 432, 128],
      [16, 16, 15, 1],
    ] as const) {
      const { slices, chunk } = planSplitK(m, n, k, tiles)
      expect(chunk % TILE_K).toBe(0)
      expect(slices * chunk).toBeGreaterThanOrEqual(k)
      expect((slices - 1) * chunk).toBeLessThan(k)
      expect(slices * tiles).toBeLessThanOrEqual(Math.max(tiles, 256 + tiles))
    }
  })

  it('splits a filter gradient (few tiles, deep k) and leaves a GEMM that fills the GPU whole', () => {
    expect(planSplitK(432, 16, 8192, 7).slices).toBeGreaterThan(8)
    expect(planSplitK(8192, 16, 432, 128).slices).toBe(1)
    expect(planSplitK(16 * 128 ** 3, 16, 432, 32_768).slices).toBe(1)
  })
})
