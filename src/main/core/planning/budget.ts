import { InputError } from '../../../shared/errors'
import type { BudgetAdvice, BudgetOption } from '../../../shared/plan'

/** The paper's annotation densities ρ. */
export const paperDensities = [0.05, 0.1, 0.2, 0.4, 0.8] as const
/** The paper's volume counts s (fractions of the training volumes). */
export const paperVolumeFractions = [1 / 8, 1 / 4, 1 / 2, 1] as const

/** Slices annotated in a volume of n slices at density ρ: k = max(1, round(ρ·n)), never more than n. */
export function slicesPerVolume(n: number, density: number): number {
  return Math.min(n, Math.max(1, Math.round(density * n)))
}

/** Volumes selected out of N training volumes at volume count s: max(1, round(s·N)). */
export function volumeCount(trainVolumes: number, volumeFraction: number): number {
  if (trainVolumes < 1) return 0
  return Math.min(trainVolumes, Math.max(1, Math.round(volumeFraction * trainVolumes)))
}

/** Checks ρ or s lies in (0, 1], naming the option when it does not. */
export function assertUnitFraction(value: number, option: string): void {
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new InputError(option, `must be a fraction in (0, 1], got ${value}`)
  }
}

/** One (ρ, s) cell of a grid, with the slices it spends. */
export interface GridCell {
  density: number
  volumeFraction: number
  /** Number of volumes selected. */
  volumes: number
  /** Slices annotated in all selected volumes together. */
  budget: number
  /** The budget as a fraction of all training slices (≈ ρ·s). */
  budgetFraction: number
}

/**
 * Expands a (ρ, s) grid into cells with their exact budgets. `sliceCounts` are the training volumes'
 * slice counts in subset order (the nested subset for s is the first round(s·N) of them), so the budgets
 * are those the plans will actually spend.
 */
export function expandGrid(
  sliceCounts: readonly number[],
  densities: readonly number[] = paperDensities,
  volumeFractions: readonly number[] = paperVolumeFractions,
): GridCell[] {
  densities.forEach((d) => assertUnitFraction(d, 'density'))
  volumeFractions.forEach((s) => assertUnitFraction(s, 'volume count'))
  const total = sliceCounts.reduce((a, b) => a + b, 0)
  const cells: GridCell[] = []
  for (const volumeFraction of volumeFractions) {
    const m = volumeCount(sliceCounts.length, volumeFraction)
    for (const density of densities) {
      let budget = 0
      for (let i = 0; i < m; i++) budget += slicesPerVolume(sliceCounts[i] as number, density)
      cells.push({ density, volumeFraction, volumes: m, budget, budgetFraction: total > 0 ? budget / total : 0 })
    }
  }
  return cells
}

function spend(counts: readonly number[], m: number, density: number): number {
  let total = 0
  for (let i = 0; i < m; i++) total += slicesPerVolume(counts[i] as number, density)
  return total
}

/** The density at which m volumes spend closest to the budget (the spend is monotone in ρ). */
function densityFor(counts: readonly number[], m: number, budget: number): number {
  let lo = 0
  let hi = 1
  for (let iter = 0; iter < 40; iter++) {
    const mid = (lo + hi) / 2
    if (spend(counts, m, mid) < budget) lo = mid
    else hi = mid
  }
  // hi spends ≥ budget, lo < budget: keep whichever lands nearer, preferring not to overspend on ties.
  const over = spend(counts, m, hi) - budget
  const under = budget - spend(counts, m, lo)
  const density = over < under || lo === 0 ? hi : lo
  // Bisection ends a hair from a round(ρ·n) step (0.0714285714284415); a person types and reads ρ, so offer the
  // nearest short decimal that annotates the same slices (spend is monotone per volume: same total, same counts).
  const spent = spend(counts, m, density)
  return shortDecimal(density, (d) => spend(counts, m, d) === spent)
}

/**
 * The decimal nearest `value` with the fewest significant digits (3 at least, as a person reads ρ or s) for which
 * `same` holds; `value` itself when none up to 12 digits does. Candidates stay in (0, 1].
 */
export function shortDecimal(value: number, same: (candidate: number) => boolean): number {
  for (let digits = 3; digits <= 12; digits++) {
    const rounded = Number(value.toPrecision(digits))
    const unit = 10 ** (Math.floor(Math.log10(Math.abs(rounded))) - digits + 1)
    const found = [rounded, Number((rounded - unit).toPrecision(digits)), Number((rounded + unit).toPrecision(digits))]
      .filter((c) => c > 0 && c <= 1 && same(c))
      .sort((a, b) => Math.abs(a - value) - Math.abs(b - value))[0]
    if (found !== undefined) return found
  }
  return value
}

/**
 * Every (ρ, s) pair that spends a slice budget B within a tolerance, from 1 volume up to all training
 * volumes, with a recommendation drawn from the paper's findings (shown as a finding, not a law).
 */
export function planBudget(
  sliceCounts: readonly number[],
  budget: number,
  options: { tolerance?: number; minDensity3d?: number } = {},
): BudgetAdvice {
  const tolerance = options.tolerance ?? 0.1
  const minDensity3d = options.minDensity3d ?? 0.1
  if (!Number.isInteger(budget) || budget < 1) throw new InputError('--slices', `the budget is a whole number of slices ≥ 1, got ${budget}`)
  if (sliceCounts.length === 0) throw new InputError('dataset', 'has no training volumes to spend a budget on')
  const trainSlices = sliceCounts.reduce((a, b) => a + b, 0)
  if (budget > trainSlices) {
    throw new InputError('--slices', `a budget of ${budget} slices is more than all ${trainSlices} training slices`)
  }
  const opts: BudgetOption[] = []
  for (let m = 1; m <= sliceCounts.length; m++) {
    const minSpend = spend(sliceCounts, m, 1e-9)
    if (minSpend > budget * (1 + tolerance)) break // one slice in each of m volumes already overspends
    const density = densityFor(sliceCounts, m, budget)
    const totalSlices = spend(sliceCounts, m, density)
    const deviation = (totalSlices - budget) / budget
    if (Math.abs(deviation) > tolerance) continue
    const ks = sliceCounts.slice(0, m).map((n) => slicesPerVolume(n, density))
    opts.push({
      volumes: m,
      // m/N to the fewest digits that still select m volumes (1/3 → 0.333); ρ is short already (densityFor).
      volumeFraction: shortDecimal(m / sliceCounts.length, (s) => volumeCount(sliceCounts.length, s) === m),
      density,
      slicesPerVolume: { min: Math.min(...ks), max: Math.max(...ks), mean: ks.reduce((a, b) => a + b, 0) / m },
      totalSlices,
      deviation,
    })
  }
  // The paper: for a fixed budget, more volumes with fewer slices each trained better models; 3D models
  // also need a minimum density, since a patch must see annotated slices to learn.
  const model2d = opts.at(-1) ?? null
  const model3d = [...opts].reverse().find((o) => o.density >= minDensity3d) ?? null
  return {
    budget,
    trainVolumes: sliceCounts.length,
    trainSlices,
    options: opts,
    recommended: { model2d, model3d },
    minDensity3d,
    rationale:
      'Zhang, Kramer & Mazurowski found that, for a fixed number of annotated slices, annotating fewer slices in more ' +
      `volumes trained better 2D and 3D segmentation models, and that 3D models need a minimum annotation density (here ρ ≥ ${minDensity3d}). ` +
      'This is their finding on their data sets, not a law: Stein et al. (2023) found the opposite on cardiac MRI. ' +
      'Run a sweep on your own data to check.',
  }
}
