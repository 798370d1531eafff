/**
 * The paired data the figures and the paper's findings (findings.ts) share: one definition of what is paired
 * with what, so a finding and the figure it summarises always test the same pairs.
 */
import type { SweepData, TrialPoint } from '../../../shared/report-data'
import { groupBy, mean } from './group'

/** The sparse trials trained on the annotated slices alone (no interpolated masks). */
export const sparse = (d: SweepData): TrialPoint[] => d.points.filter((p) => !p.dense && p.interpolation === 'none')
export const cellKey = (p: { model: string; density: number; volumeFraction: number }): string => `${p.model}|${p.density}|${p.volumeFraction}`

/** One point per sparse cell and seed, its IoU and budget averaged over the selection methods. */
export function cellSeedPoints(d: SweepData): TrialPoint[] {
  return [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()].map((g) => ({
    ...(g[0] as TrialPoint),
    meanIou: mean(g.map((p) => p.meanIou)),
    budgetFraction: mean(g.map((p) => p.budgetFraction)),
  }))
}

/** A line of equal budget (ρ·s) of one model: its cells (each one point per seed), and its two ends. */
export interface EqualBudgetLine {
  model: string
  budget: number
  cells: TrialPoint[][]
  /** The cell with the most volumes (fewest slices each), and the one with the fewest. */
  many: TrialPoint[]
  few: TrialPoint[]
  /** many − few IoU, per seed that has both. */
  differences: number[]
}

/** The grid's lines of equal budget with at least two densities. */
export function equalBudgetLines(d: SweepData): EqualBudgetLine[] {
  const lines = [...groupBy(cellSeedPoints(d), (p) => `${p.model}|${p.nominalBudget}`).values()].filter((g) => new Set(g.map((p) => p.density)).size >= 2)
  return lines.map((line) => {
    const f = line[0] as TrialPoint
    const cells = [...groupBy(line, cellKey).values()]
    const bySpread = [...cells].sort((a, b) => (a[0] as TrialPoint).volumeFraction - (b[0] as TrialPoint).volumeFraction)
    const few = bySpread[0] as TrialPoint[]
    const many = bySpread.at(-1) as TrialPoint[]
    const fewBySeed = new Map(few.map((p) => [p.seed, p.meanIou]))
    const differences = many.filter((p) => fewBySeed.has(p.seed)).map((p) => p.meanIou - (fewBySeed.get(p.seed) as number))
    return { model: f.model, budget: f.nominalBudget, cells, many, few, differences }
  })
}

/** Two selection methods of one model paired on the same cell and seed: first − second IoU. */
export interface MethodPair {
  model: string
  first: string
  second: string
  differences: number[]
}

/** Every pair of selection methods that share cells, per model, in the order the methods first appear. */
export function methodPairs(d: SweepData): MethodPair[] {
  const cells = [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()].filter((g) => new Set(g.map((p) => p.method)).size >= 2)
  const points = cells.flat()
  const out: MethodPair[] = []
  for (const g of groupBy(points, (p) => p.model).values()) {
    const methods = [...new Set(g.map((p) => p.method))]
    const model = (g[0] as TrialPoint).model
    for (let i = 0; i < methods.length; i++) {
      for (let j = i + 1; j < methods.length; j++) {
        const a = new Map(g.filter((p) => p.method === methods[i]).map((p) => [`${cellKey(p)}|${p.seed}`, p.meanIou]))
        const paired = g.filter((p) => p.method === methods[j] && a.has(`${cellKey(p)}|${p.seed}`))
        out.push({ model, first: methods[i] as string, second: methods[j] as string, differences: paired.map((p) => (a.get(`${cellKey(p)}|${p.seed}`) as number) - p.meanIou) })
      }
    }
  }
  return out
}

/** A trial with interpolated masks beside the trial without them on the same plan (cell, method) and seed. */
export interface InterpolationPair {
  model: string
  interpolation: string
  density: number
  volumeFraction: number
  method: string
  seed: number
  without: number
  with: number
}

export function interpolationPairs(d: SweepData): InterpolationPair[] {
  const without = new Map(sparse(d).map((p) => [`${cellKey(p)}|${p.method}|${p.seed}`, p]))
  return d.points
    .filter((p) => !p.dense && p.interpolation !== 'none')
    .flatMap((p) => {
      const base = without.get(`${cellKey(p)}|${p.method}|${p.seed}`)
      return base ? [{ model: p.model, interpolation: p.interpolation, density: p.density, volumeFraction: p.volumeFraction, method: p.method, seed: p.seed, without: base.meanIou, with: p.meanIou }] : []
    })
}
