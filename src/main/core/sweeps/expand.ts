/**
 * Expands a sweep grid into trial specs: the product ρ × s × method × interpolation × model × seed (or only
 * the cells the grid lists), with a dense baseline (ρ = s = 1, every training volume, no plan) per model and seed. Pure.
 */
import { InputError } from '../../../shared/errors'
import type { SelectionMethod } from '../../../shared/plan'
import type { SweepGrid, SweepInterpolation, TrialSpec } from '../../../shared/sweep'
import { volumeCount } from '../planning/budget'

/** A trial's stable key: unique within a sweep, readable in logs and result file names. */
export function trialKey(spec: TrialSpec): string {
  if (spec.dense) return `${spec.model}|dense|seed=${spec.seed}`
  return `${spec.model}|rho=${spec.density}|s=${spec.volumeFraction}|${spec.method}|${spec.interpolation}|seed=${spec.seed}`
}

/** Whether a grid runs the sparse trial (ρ, s, method, interpolation): every one without `cells`, else a listed one. */
function inGrid(grid: SweepGrid, density: number, volumeFraction: number, method: SelectionMethod, interpolation: SweepInterpolation): boolean {
  if (!grid.cells) return true
  return grid.cells.some(
    (c) =>
      c.density === density &&
      c.volumeFraction === volumeFraction &&
      (c.methods ?? grid.methods).includes(method) &&
      (c.interpolation ?? grid.interpolation).includes(interpolation),
  )
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
              if (!inGrid(grid, density, volumeFraction, method, interpolation)) continue
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
  return expandTrials(grid).length
}

/** Refuses listed cells outside the grid's axes: they would silently run nothing. */
function assertCellsInGrid(grid: SweepGrid, where: string): void {
  grid.cells?.forEach((c, i) => {
    const at = `${where} grid.cells[${i}]`
    if (!grid.densities.includes(c.density)) throw new InputError(at, `has density ${c.density}, which grid.densities does not list`)
    if (!grid.volumeFractions.includes(c.volumeFraction)) throw new InputError(at, `has volume fraction ${c.volumeFraction}, which grid.volumeFractions does not list`)
    const method = c.methods?.find((m) => !grid.methods.includes(m))
    if (method) throw new InputError(at, `has method ${method}, which grid.methods does not list`)
    const mode = c.interpolation?.find((m) => !grid.interpolation.includes(m))
    if (mode) throw new InputError(at, `has interpolation ${mode}, which grid.interpolation does not list`)
  })
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
  assertCellsInGrid(grid, where)
  for (const volumeFraction of grid.volumeFractions) {
    const m = volumeCount(sliceCounts.length, volumeFraction)
    const slices = sliceCounts.slice(0, m).reduce((a, b) => a + b, 0)
    for (const density of grid.densities) {
      if (grid.cells && !grid.cells.some((c) => c.density === density && c.volumeFraction === volumeFraction)) continue
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
