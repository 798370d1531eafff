/**
 * Expands a sweep grid into trial specs: the full product ρ × s × method × interpolation × model × seed,
 * then a dense baseline (ρ = s = 1, every training volume, no plan) per model and seed. Pure.
 */
import { InputError } from '../../../shared/errors'
import type { SweepGrid, TrialSpec } from '../../../shared/sweep'
import { volumeCount } from '../planning/budget'

/** A trial's stable key: unique within a sweep, readable in logs and result file names. */
export function trialKey(spec: TrialSpec): string {
  if (spec.dense) return `${spec.model}|dense|seed=${spec.seed}`
  return `${spec.model}|rho=${spec.density}|s=${spec.volumeFraction}|${spec.method}|${spec.interpolation}|seed=${spec.seed}`
}

/** Trials in the order they run: seed-major, so a half-done sweep already holds whole repeats. */
export function expandTrials(grid: SweepGrid): TrialSpec[] {
  const trials: TrialSpec[] = []
  for (const seed of grid.seeds) {
    for (const model of grid.models) {
      trials.push({ model: model.name, density: 1, volumeFraction: 1, method: 'dense', interpolation: 'none', seed, dense: true })
      for (const volumeFraction of grid.volumeFractions) {
        for (const density of grid.densities) {
          for (const method of grid.methods) {
            for (const interpolation of grid.interpolation) {
              trials.push({ model: model.name, density, volumeFraction, method, interpolation, seed, dense: false })
            }
          }
        }
      }
    }
  }
  return trials
}

/** Number of trials a grid expands into (the dense baselines included). */
export function trialCount(grid: SweepGrid): number {
  const sparse = grid.densities.length * grid.volumeFractions.length * grid.methods.length * grid.interpolation.length
  return grid.seeds.length * grid.models.length * (sparse + 1)
}

/**
 * Refuses a grid with a cell that cannot be annotated: one whose nominal budget ρ·Σn over the m selected
 * volumes (taken in subset order) is below one slice per volume. `sliceCounts` are in subset order.
 */
export function assertCellsPossible(grid: SweepGrid, sliceCounts: readonly number[], where: string): void {
  const duplicates = (xs: readonly (string | number)[]): boolean => new Set(xs).size !== xs.length
  if (duplicates(grid.densities) || duplicates(grid.volumeFractions) || duplicates(grid.methods) || duplicates(grid.interpolation) || duplicates(grid.seeds)) {
    throw new InputError(`${where} grid`, 'lists a value twice')
  }
  if (duplicates(grid.models.map((m) => m.name))) throw new InputError(`${where} grid.models`, 'names a model twice')
  for (const volumeFraction of grid.volumeFractions) {
    const m = volumeCount(sliceCounts.length, volumeFraction)
    const slices = sliceCounts.slice(0, m).reduce((a, b) => a + b, 0)
    for (const density of grid.densities) {
      const budget = density * slices
      if (budget < m) {
        throw new InputError(
          `${where} grid cell ρ = ${density}, s = ${volumeFraction}`,
          `spends ${budget.toFixed(1)} slices on ${m} volume${m === 1 ? '' : 's'}: below one slice per volume (raise the density)`,
        )
      }
    }
  }
}
