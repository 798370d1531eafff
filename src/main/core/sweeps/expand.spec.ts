// A grid that lists its cells expands into exactly those (their union), and refuses cells outside its axes.
import { describe, expect, it } from 'vitest'
import { SweepGridSchema, type SweepGridInput } from '../../../shared/sweep'
import { assertCellsPossible, expandTrials, trialCount, trialKey } from './expand'

const model = { name: 'm', model: { kind: 'unet2d' } }
const grid = (input: Omit<SweepGridInput, 'models'>) => SweepGridSchema.parse({ models: [model], ...input })

describe('expandTrials with cells', () => {
  it('runs only the listed cells, each with its own methods and modes (the grid\'s when left out), once each', () => {
    const g = grid({
      densities: [0.1, 0.2],
      volumeFractions: [0.5, 1],
      methods: ['fixed', 'random'],
      interpolation: ['none', 'propagate'],
      cells: [
        { density: 0.2, volumeFraction: 1 },
        { density: 0.1, volumeFraction: 0.5, methods: ['random'], interpolation: ['none'] },
        // Listed twice: the union, not two copies.
        { density: 0.1, volumeFraction: 0.5, methods: ['random', 'fixed'], interpolation: ['none'] },
      ],
    })
    const keys = expandTrials(g).map(trialKey)
    expect(keys).toEqual([
      'm|dense|seed=0',
      'm|rho=0.1|s=0.5|fixed|none|seed=0',
      'm|rho=0.1|s=0.5|random|none|seed=0',
      'm|rho=0.2|s=1|fixed|none|seed=0',
      'm|rho=0.2|s=1|fixed|propagate|seed=0',
      'm|rho=0.2|s=1|random|none|seed=0',
      'm|rho=0.2|s=1|random|propagate|seed=0',
    ])
    expect(trialCount(g)).toBe(7)
    // Without cells: the whole product (2·2·2·2) and the dense baseline.
    expect(trialCount(grid({ densities: [0.1, 0.2], volumeFractions: [0.5, 1], methods: ['fixed', 'random'], interpolation: ['none', 'propagate'] }))).toBe(17)
  })

  it('refuses a cell outside the grid\'s axes, naming it, and checks the budget of listed cells only', () => {
    const base = { densities: [0.05, 0.5], volumeFractions: [0.25, 1] }
    const counts = [10, 30, 30, 30]
    expect(() => assertCellsPossible(grid({ ...base, cells: [{ density: 0.3, volumeFraction: 1 }] }), counts, 'sweep')).toThrow(
      /sweep grid\.cells\[0\]: has density 0\.3, which grid\.densities does not list/,
    )
    expect(() => assertCellsPossible(grid({ ...base, cells: [{ density: 0.5, volumeFraction: 1, methods: ['random'] }] }), counts, 'sweep')).toThrow(
      /grid\.cells\[0\]: has method random, which grid\.methods does not list/,
    )
    // ρ 0.05 on a quarter (the first volume, 10 slices) is half a slice: impossible in the product, fine when not listed.
    expect(() => assertCellsPossible(grid(base), counts, 'sweep')).toThrow(/ρ = 0\.05, s = 0\.25/)
    expect(() => assertCellsPossible(grid({ ...base, cells: [{ density: 0.05, volumeFraction: 1 }, { density: 0.5, volumeFraction: 0.25 }] }), counts, 'sweep')).not.toThrow()
  })
})
