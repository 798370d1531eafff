import { describe, expect, it } from 'vitest'
import { createRng } from '../random/rng'
import { expandGrid, paperDensities, paperVolumeFractions, planBudget, shortDecimal, slicesPerVolume, volumeCount } from './budget'

describe('slicesPerVolume and volumeCount', () => {
  it('follow k = max(1, round(ρ·n)) and m = max(1, round(s·N))', () => {
    expect(slicesPerVolume(36, 0.05)).toBe(2)
    expect(slicesPerVolume(10, 0.04)).toBe(1)
    expect(slicesPerVolume(36, 0.8)).toBe(29)
    expect(slicesPerVolume(3, 1)).toBe(3)
    expect(volumeCount(195, 1 / 8)).toBe(24)
    expect(volumeCount(195, 1)).toBe(195)
    expect(volumeCount(3, 0.01)).toBe(1)
  })
})

describe('expandGrid', () => {
  it('gives the paper grid: 5 densities × 4 volume counts, budgets adding up over the nested prefix', () => {
    const rng = createRng(3)
    for (let trial = 0; trial < 50; trial++) {
      const counts = Array.from({ length: 1 + rng.int(60) }, () => 1 + rng.int(80))
      const cells = expandGrid(counts)
      expect(cells).toHaveLength(paperDensities.length * paperVolumeFractions.length)
      for (const cell of cells) {
        const expected = counts.slice(0, cell.volumes).reduce((s, n) => s + slicesPerVolume(n, cell.density), 0)
        expect(cell.budget).toBe(expected)
        expect(cell.volumes).toBe(volumeCount(counts.length, cell.volumeFraction))
      }
      // Budgets grow with ρ at fixed s and with s at fixed ρ.
      for (const s of paperVolumeFractions) {
        const row = cells.filter((c) => c.volumeFraction === s).map((c) => c.budget)
        expect([...row].sort((a, b) => a - b)).toEqual(row)
      }
    }
  })

  it('refuses ρ or s outside (0, 1]', () => {
    expect(() => expandGrid([10], [0])).toThrow(/density: must be a fraction in \(0, 1\]/)
    expect(() => expandGrid([10], [0.1], [1.5])).toThrow(/volume count: must be a fraction/)
  })
})

describe('planBudget', () => {
  const counts = Array.from({ length: 40 }, (_, i) => 30 + (i % 7))

  it('lists pairs that spend the budget within the tolerance, each with consistent figures', () => {
    const advice = planBudget(counts, 200, { tolerance: 0.05 })
    expect(advice.options.length).toBeGreaterThan(5)
    for (const o of advice.options) {
      expect(Math.abs(o.totalSlices - 200) / 200).toBeLessThanOrEqual(0.05)
      const ks = counts.slice(0, o.volumes).map((n) => slicesPerVolume(n, o.density))
      expect(ks.reduce((a, b) => a + b, 0)).toBe(o.totalSlices)
      expect(o.slicesPerVolume.min).toBe(Math.min(...ks))
      expect(o.volumeFraction).toBeCloseTo(o.volumes / 40)
    }
  })

  it('recommends the most volumes for 2D, and the most volumes above the minimum density for 3D', () => {
    const advice = planBudget(counts, 200, { tolerance: 0.05, minDensity3d: 0.2 })
    const most = Math.max(...advice.options.map((o) => o.volumes))
    expect(advice.recommended.model2d?.volumes).toBe(most)
    expect(advice.recommended.model3d?.density).toBeGreaterThanOrEqual(0.2)
    const above = advice.options.filter((o) => o.density >= 0.2)
    expect(advice.recommended.model3d?.volumes).toBe(Math.max(...above.map((o) => o.volumes)))
    expect(advice.rationale).toMatch(/not a law.*Stein/)
  })

  it('offers ρ and s as short decimals a person can read and type, which spend exactly the same slices', () => {
    // Bisection alone ends a hair from a step (ρ = 0.0714285714284415); the offered ρ is within that step.
    for (const budget of [40, 100, 200]) {
      for (const o of planBudget(counts, budget, { tolerance: 0.1 }).options) {
        expect(Number(o.density.toPrecision(4))).toBe(o.density)
        expect(Number(o.volumeFraction.toPrecision(4))).toBe(o.volumeFraction)
        expect(volumeCount(counts.length, o.volumeFraction)).toBe(o.volumes)
        expect(counts.slice(0, o.volumes).reduce((a, n) => a + slicesPerVolume(n, o.density), 0)).toBe(o.totalSlices)
      }
    }
    expect(shortDecimal(1 / 14, (d) => slicesPerVolume(14, d) === 1)).toBe(0.0714)
    expect(shortDecimal(0.0714285714284415, () => false)).toBe(0.0714285714284415)
  })

  it('refuses budgets below one slice or above all training slices', () => {
    expect(() => planBudget(counts, 0)).toThrow(/≥ 1/)
    expect(() => planBudget(counts, 2.5)).toThrow(/whole number/)
    expect(() => planBudget(counts, 100_000)).toThrow(/more than all/)
  })
})
