/**
 * The paper's figures computed from a sweep's trials: each as rows of data (mean ± std and 95 % CI over
 * seeds), a Vega-Lite chart, the paired tests it rests on, and one plain sentence computed from the data under
 * the rules of verdict.ts (a side is named higher or lower only where the test and the interval say so).
 */
import type { TopLevelSpec } from 'vega-lite'
import { summarise } from '../stats/summary'
import { lineChart } from './charts'
import { allOf, countOf, groupBy, mean, round } from './group'
import type { SweepData, TrialPoint } from '../../../shared/report-data'
import { cellKey, cellSeedPoints, equalBudgetLines, interpolationPairs, methodPairs, sparse } from './pairs'
import { comparePaired, describeComparison, describeSpan, noDifference, pairsRange, type Comparison, type LabelledComparison, type Unit } from './verdict'

export type Row = Record<string, string | number | null>

/** One paired test of a figure: what was compared, and the comparison (verdict.ts). */
export interface StatTest extends Comparison {
  figure: string
  comparison: string
  model: string
}

export interface Figure {
  id: string
  title: string
  sentence: string
  rows: Row[]
  /** null when the sweep has no data for this figure. */
  chart: TopLevelSpec | null
  tests: StatTest[]
}

const IOU: Unit = { digits: 3, name: 'IoU' }
const PERCENT: Unit = { digits: 1, name: '%' }

const stats = (prefix: string, values: number[]): Row => {
  const s = summarise(values)
  return { [`${prefix}Mean`]: round(s.mean), [`${prefix}Std`]: round(s.std), [`${prefix}CiLow`]: round(s.ciLow), [`${prefix}CiHigh`]: round(s.ciHigh), seeds: s.n }
}
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`

/** A cell named for sentences: "ρ = 0.1, s = 0.5 (m, 5.0 % of the slices)". */
const cellName = (p: { density: number; volumeFraction: number; model: string }, budgetFraction?: number): string =>
  `ρ = ${p.density}, s = ${p.volumeFraction} (${p.model}${budgetFraction === undefined ? '' : `, ${pct(budgetFraction)} of the slices`})`
const rowCellName = (r: Row): string => cellName({ density: r.density as number, volumeFraction: r.volumeFraction as number, model: String(r.model) }, r.budgetFraction as number)

/**
 * Fig. 1: mean performance drop against dense training, by budget, one series per density. Each cell is tested
 * against the dense model of the same seed on its relative IoU change; "lost" only where that change is
 * detectably negative.
 */
export function figureDrop(d: SweepData): Figure {
  const dense = new Map(d.points.filter((p) => p.dense).map((p) => [`${p.model}|${p.seed}`, p.meanIou]))
  // Per seed: the cell's IoU (methods averaged) as a relative drop from that seed's dense model.
  const perSeed = cellSeedPoints(d).flatMap((p) => {
    const base = dense.get(`${p.model}|${p.seed}`)
    return base === undefined || base <= 0 ? [] : [{ ...p, drop: (base - p.meanIou) / base }]
  })
  const cells = [...groupBy(perSeed, cellKey).values()]
  const rows = cells.map((g): Row => {
    const f = g[0] as (typeof perSeed)[number]
    return { model: f.model, density: f.density, volumeFraction: f.volumeFraction, budgetFraction: round(mean(g.map((p) => p.budgetFraction))), ...stats('drop', g.map((p) => 100 * p.drop)) }
  })
  const title = 'Fig. 1: mean performance drop against dense training, by budget'
  if (rows.length === 0) return { id: 'fig1-drop', title, sentence: 'No sparse trial has a dense baseline of the same model and seed yet.', rows, chart: null, tests: [] }
  // The change of each seed's IoU relative to its dense model (%): negative = below dense.
  const labelled: LabelledComparison[] = cells.map((g, i) => ({ label: cellName(g[0] as TrialPoint, rows[i]?.budgetFraction as number), c: comparePaired(g.map((p) => -100 * p.drop)) }))
  const tests: StatTest[] = labelled.map(({ c }, i) => ({ figure: 'fig1', comparison: `ρ = ${rows[i]?.density}, s = ${rows[i]?.volumeFraction} against dense (relative IoU change, %)`, model: String(rows[i]?.model), ...c }))
  const chart = lineChart('Fig. 1: IoU drop against dense training (%)', rows, { field: 'budgetFraction', title: 'budget (fraction of training slices)', log: true }, { field: 'drop', title: `${d.split} IoU drop against dense (%)` }, { field: 'density', title: 'density ρ' })
  return { id: 'fig1-drop', title, sentence: dropSentence(labelled), rows, chart, tests }
}

/** Fig. 1's sentence: cells that lost, gained, and showed no detectable difference, with n, test and effect. */
export function dropSentence(cells: readonly LabelledComparison[]): string {
  const lost = cells.filter((x) => x.c.verdict === 'lower')
  const gained = cells.filter((x) => x.c.verdict === 'higher')
  const none = cells.filter((x) => x.c.verdict === 'none')
  const what = 'median IoU change'
  const parts: string[] = []
  if (lost.length) parts.push(`${countOf(lost.length, cells.length, 'sparse cell')} lost IoU detectably (${describeSpan(lost, PERCENT, what)})`)
  if (gained.length) parts.push(`${countOf(gained.length, cells.length, 'sparse cell')} scored detectably above dense (${describeSpan(gained, PERCENT, what)})`)
  if (none.length) {
    const which = none.length === cells.length ? (cells.length === 1 ? 'the one sparse cell' : allOf(cells.length, 'sparse cell')) : `the other ${none.length}`
    parts.push(`${which}: ${noDifference(pairsRange(none.map((x) => x.c)))} (${describeSpan(none, PERCENT, what)})`)
  }
  return `Against dense training (Wilcoxon signed-rank on each seed's IoU change relative to its dense model, paired by seed, n = ${pairsRange(cells.map((x) => x.c))} per cell), ${parts.join('; ')}.`
}

/** Fig. 2: IoU against budget, one series per volume count s; the best cell tested against the next best. */
export function figureBudget(d: SweepData): Figure {
  const groups = [...groupBy(cellSeedPoints(d), cellKey).values()]
  const cells = groups.map((g): Row => {
    const f = g[0] as TrialPoint
    return { model: f.model, volumeFraction: f.volumeFraction, density: f.density, budgetFraction: round(mean(g.map((p) => p.budgetFraction))), ...stats('iou', g.map((p) => p.meanIou)) }
  })
  const ranked = groups.map((g, i) => ({ g, row: cells[i] as Row })).sort((a, b) => (b.row.iouMean as number) - (a.row.iouMean as number))
  const [best, next] = ranked
  const tests: StatTest[] = []
  let sentence = 'No sparse trial is done yet.'
  const name = rowCellName
  const score = (r: Row): string => `mean ${d.split} IoU ${(r.iouMean as number).toFixed(3)}`
  if (best && !next) {
    sentence = `Only one sparse cell is done, ${name(best.row)}: ${score(best.row)} over n = ${best.g.length} seed${best.g.length === 1 ? '' : 's'}; there is nothing to compare it with.`
  } else if (best && next) {
    const other = new Map(next.g.map((p) => [p.seed, p.meanIou]))
    const paired = best.g.filter((p) => other.has(p.seed))
    const c = comparePaired(paired.map((p) => p.meanIou - (other.get(p.seed) as number)))
    tests.push({ figure: 'fig2', comparison: `${name(best.row)} vs ${name(next.row)}`, model: String(best.row.model), ...c })
    const tied = best.row.iouMean === next.row.iouMean
    const head = tied
      ? `${name(best.row)} and ${name(next.row)} tied for the highest ${score(best.row)}`
      : `The highest ${score(best.row)} was ${name(best.row)}; the next best, ${name(next.row)}, had ${(next.row.iouMean as number).toFixed(3)}`
    sentence = `${head}. ${describeComparison(c, { first: 'The best', second: 'the next best' }, IOU, 'seed')}.`
  }
  const chart = cells.length ? lineChart('Fig. 2: IoU against budget', cells, { field: 'budgetFraction', title: 'budget (fraction of training slices)', log: true }, { field: 'iou', title: `${d.split} IoU (95 % CI clipped to 0–1)`, range: [0, 1] }, { field: 'volumeFraction', title: 'volume count s' }) : null
  return { id: 'fig2-budget', title: 'Fig. 2: IoU against budget, coloured by volume count', sentence, rows: cells, chart, tests }
}

/**
 * Fig. 3: IoU against density along lines of equal budget (ρ·s constant), with the paper's question answered:
 * per line (paired by seed), and over all lines of a model at once (paired by line and seed), the end with the
 * most volumes (fewest slices each) against the end with the fewest.
 */
export function figureEqualBudget(d: SweepData): Figure {
  const lines = equalBudgetLines(d)
  const rows: Row[] = []
  const tests: StatTest[] = []
  const labelled: LabelledComparison[] = []
  for (const line of lines) {
    for (const g of line.cells) {
      const c = g[0] as TrialPoint
      rows.push({ model: c.model, budget: c.nominalBudget, density: c.density, volumeFraction: c.volumeFraction, ...stats('iou', g.map((p) => p.meanIou)) })
    }
    if (line.differences.length === 0) continue
    const c = comparePaired(line.differences)
    const ends = `s = ${(line.many[0] as TrialPoint).volumeFraction} vs s = ${(line.few[0] as TrialPoint).volumeFraction}`
    labelled.push({ label: `budget ${line.budget} (${line.model}), ${ends}`, c })
    tests.push({ figure: 'fig3', comparison: `budget ${line.budget}: ${ends}`, model: line.model, ...c })
  }
  const pooled = pooledEqualBudget(d)
  for (const p of pooled) tests.push({ figure: 'fig3', comparison: `${allOf(p.lines, 'line')}: most vs fewest volumes`, model: p.model, ...p.c })
  let sentence = 'The grid has no two cells of equal budget (ρ·s), so density and volume count cannot be traded off here.'
  if (labelled.length) {
    const count = (v: string): number => labelled.filter((x) => x.c.verdict === v).length
    const none = count('none')
    sentence =
      `Along ${countOf(labelled.length, labelled.length, 'line')} of equal budget (ρ·s), more volumes with fewer slices each against fewer volumes with more slices each ` +
      `(Wilcoxon signed-rank, paired by seed, n = ${pairsRange(labelled.map((x) => x.c))} per line): detectably higher on ${count('higher')}, detectably lower on ${count('lower')}` +
      `${none ? `, ${noDifference(pairsRange(labelled.filter((x) => x.c.verdict === 'none').map((x) => x.c)))} on ${none}` : ''} (${describeSpan(labelled, IOU)}).` +
      pooled.map((p) => ` Over ${allOf(p.lines, 'line')} of ${p.model} at once, ${describeComparison(p.c, { first: 'the most volumes', second: 'the fewest' }, IOU, 'line and seed')}.`).join('')
  }
  const chart = rows.length
    ? lineChart('Fig. 3: IoU along lines of equal budget', rows.map((r) => ({ ...r, budget: String(r.budget) })), { field: 'density', title: 'density ρ', log: true }, { field: 'iou', title: `${d.split} IoU (95 % CI clipped to 0–1)`, range: [0, 1] }, { field: 'budget', title: 'budget ρ·s' })
    : null
  return { id: 'fig3-equal-budget', title: 'Fig. 3: IoU against density along lines of equal budget', sentence, rows, chart, tests }
}

/** Per model with two or more lines of equal budget: most − fewest volumes, paired by line and seed. */
export function pooledEqualBudget(d: SweepData): { model: string; lines: number; c: Comparison }[] {
  const byModel = groupBy(equalBudgetLines(d).filter((l) => l.differences.length > 0), (l) => l.model)
  return [...byModel.entries()].filter(([, ls]) => ls.length >= 2).map(([model, ls]) => ({ model, lines: ls.length, c: comparePaired(ls.flatMap((l) => l.differences)) }))
}

/** Whether each method's mean IoU rises with density (strictly, density by density), in words. */
function densityTrend(rows: readonly Row[]): string {
  const byMethod = [...groupBy(rows, (r) => String(r.method)).entries()].filter(([, g]) => g.length >= 2)
  if (byMethod.length === 0) return 'one density was measured'
  const rises = byMethod.filter(([, g]) => g.every((r, i) => i === 0 || (r.iouMean as number) > ((g[i - 1] as Row).iouMean as number)))
  if (rises.length === byMethod.length) return `mean IoU rose with density for ${byMethod.length === 1 ? 'it' : `each of the ${byMethod.length} methods`}`
  if (rises.length === 0) return 'mean IoU did not rise steadily with density for any method'
  return `mean IoU rose steadily with density for ${rises.map(([m]) => m).join(', ')} only`
}

/** Table 3: interpolated-mask IoU by density, per interpolation method (the sweep's plans). */
export function tableInterpolation(d: SweepData): Figure {
  const rows = [...groupBy(d.interpolation, (p) => `${p.method}|${p.density}`).values()].map((g): Row => {
    const f = g[0] as (typeof d.interpolation)[number]
    return { method: f.method, density: f.density, plans: g.length, ...stats('iou', g.map((p) => p.meanIou)), diceMean: round(mean(g.map((p) => p.meanDice))) }
  })
  rows.sort((a, b) => String(a.method).localeCompare(String(b.method)) || (a.density as number) - (b.density as number))
  const byMethod = [...groupBy(d.interpolation, (p) => p.method).values()]
    .map((g) => ({ method: (g[0] as (typeof d.interpolation)[number]).method, iou: mean(g.map((p) => p.meanIou)), plans: new Map(g.map((p) => [p.planId, p.meanIou])) }))
    .sort((a, b) => b.iou - a.iou)
  const [best, next] = byMethod
  const tests: StatTest[] = []
  let sentence = 'This sweep interpolated no plan (add an interpolation method to the grid).'
  if (best && !next) {
    sentence = `Interpolated masks reached a mean IoU of ${best.iou.toFixed(3)} against the dense labels with ${best.method} over n = ${best.plans.size} plans (one method, nothing to compare); ${densityTrend(rows)}.`
  } else if (best && next) {
    const shared = [...best.plans.keys()].filter((id) => next.plans.has(id))
    const c = comparePaired(shared.map((id) => (best.plans.get(id) as number) - (next.plans.get(id) as number)))
    tests.push({ figure: 'table3', comparison: `${best.method} vs ${next.method}`, model: '-', ...c })
    sentence =
      `Interpolated masks reached a mean IoU against the dense labels of ${best.iou.toFixed(3)} with ${best.method} and ${next.iou.toFixed(3)} with ${next.method}` +
      `${byMethod.length > 2 ? ` (the two highest of ${byMethod.length} methods)` : ''}; ${describeComparison(c, { first: best.method, second: next.method }, IOU, 'plan')}; ${densityTrend(rows)}.`
  }
  const chart: TopLevelSpec | null = rows.length
    ? ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Table 3: interpolated-mask IoU by density',
        data: { values: rows },
        width: 320,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: { x: { field: 'density', type: 'quantitative', scale: { type: 'log' }, title: 'density ρ' }, y: { field: 'iouMean', type: 'quantitative', title: 'IoU of interpolated masks' }, color: { field: 'method', type: 'nominal' } },
      } as TopLevelSpec)
    : null
  return { id: 'table3-interpolation', title: 'Table 3: interpolated-mask IoU by density, per method', sentence, rows, chart, tests }
}

/** Fig. 4: training with against without interpolated masks on the same slices, paired by plan and seed. */
export function figureInterpolation(d: SweepData): Figure {
  const pairs = interpolationPairs(d)
  const rows: Row[] = pairs.map((p) => ({ ...p, without: round(p.without), with: round(p.with), difference: round(p.with - p.without) }))
  const tests: StatTest[] = []
  const parts: string[] = []
  for (const g of groupBy(pairs, (p) => `${p.model}|${p.interpolation}`).values()) {
    const f = g[0] as (typeof pairs)[number]
    const c = comparePaired(g.map((p) => p.with - p.without))
    tests.push({ figure: 'fig4', comparison: `${f.interpolation} vs none`, model: f.model, ...c })
    parts.push(describeComparison(c, { first: `${f.model} with ${f.interpolation} masks`, second: 'without' }, IOU, 'plan and seed'))
  }
  const sentence = parts.length ? `Trained on the same slices, ${parts.join('; ')}.` : 'The grid has no interpolation method, so there is nothing to pair.'
  const chart: TopLevelSpec | null = rows.length
    ? ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Fig. 4: with against without mask interpolation (paired)',
        data: { values: rows },
        width: 300,
        height: 300,
        layer: [
          { mark: { type: 'point', filled: true }, encoding: { x: { field: 'without', type: 'quantitative', title: 'IoU without interpolation', scale: { zero: false } }, y: { field: 'with', type: 'quantitative', title: 'IoU with interpolated masks', scale: { zero: false } }, color: { field: 'density', type: 'nominal', title: 'density ρ' }, shape: { field: 'interpolation', type: 'nominal' } } },
          { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { datum: Math.min(...pairs.map((p) => Math.min(p.with, p.without))) }, y: { datum: Math.min(...pairs.map((p) => Math.min(p.with, p.without))) }, x2: { datum: Math.max(...pairs.map((p) => Math.max(p.with, p.without))) }, y2: { datum: Math.max(...pairs.map((p) => Math.max(p.with, p.without))) } } },
        ],
      } as TopLevelSpec)
    : null
  return { id: 'fig4-interpolation', title: 'Fig. 4: with against without mask interpolation on the same slices', sentence, rows, chart, tests }
}

/** Fig. 5: each selection method relative to the mean of the methods on the same (ρ, s, seed). */
export function figureMethods(d: SweepData): Figure {
  const cells = [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()].filter((g) => new Set(g.map((p) => p.method)).size >= 2)
  const relative = cells.flatMap((g) => {
    const m = mean(g.map((p) => p.meanIou))
    return g.map((p) => ({ ...p, relative: m > 0 ? p.meanIou / m - 1 : 0 }))
  })
  const rows = [...groupBy(relative, (p) => `${p.model}|${p.method}`).values()].map((g): Row => {
    const f = g[0] as (typeof relative)[number]
    return { model: f.model, method: f.method, cells: g.length, ...stats('relative', g.map((p) => 100 * p.relative)) }
  })
  const tests: StatTest[] = []
  const labelled: LabelledComparison[] = []
  for (const pair of methodPairs(d)) {
    const c = comparePaired(pair.differences)
    tests.push({ figure: 'fig5', comparison: `${pair.first} vs ${pair.second}`, model: pair.model, ...c })
    labelled.push({ label: `${pair.first} vs ${pair.second} (${pair.model})`, c })
  }
  let sentence = 'The grid has one selection method, so methods cannot be compared.'
  if (labelled.length) {
    const detected = labelled.filter((x) => x.c.verdict !== 'none')
    const none = labelled.filter((x) => x.c.verdict === 'none')
    const test = `Wilcoxon signed-rank on IoU, paired by cell and seed, n = ${pairsRange(labelled.map((x) => x.c))} per comparison`
    const named = detected.map((x) => {
      const [first, second] = x.label.split(' vs ')
      return describeComparison(x.c, { first: first as string, second: second as string }, IOU, 'cell and seed')
    })
    sentence = detected.length
      ? `Between selection methods (${test}): ${named.join('; ')}${none.length ? `; the other ${countOf(none.length, labelled.length, 'comparison')}: ${noDifference(pairsRange(none.map((x) => x.c)))} (${describeSpan(none, IOU)})` : ''}.`
      : `Between selection methods, ${noDifference(pairsRange(labelled.map((x) => x.c)))} ${labelled.length === 1 ? 'in the one comparison' : `in any of the ${labelled.length} comparisons`} (${test}; ${describeSpan(labelled, IOU)}).`
  }
  const chart: TopLevelSpec | null = rows.length
    ? ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Fig. 5: selection methods relative to their mean (%)',
        data: { values: rows },
        facet: { field: 'model', type: 'nominal' },
        spec: {
          width: 220,
          height: 220,
          layer: [
            { mark: 'bar', encoding: { x: { field: 'method', type: 'nominal' }, y: { field: 'relativeMean', type: 'quantitative', title: 'IoU relative to the methods\' mean (%)' }, color: { field: 'method', type: 'nominal' } } },
            { mark: 'errorbar', encoding: { x: { field: 'method', type: 'nominal' }, y: { field: 'relativeCiLow', type: 'quantitative', title: 'IoU relative to the methods\' mean (%)' }, y2: { field: 'relativeCiHigh' } } },
          ],
        },
      } as TopLevelSpec)
    : null
  return { id: 'fig5-methods', title: "Fig. 5: each selection method relative to the methods' mean on the same (ρ, s)", sentence, rows, chart, tests }
}

/** Every figure of the report, in the paper's order. */
export function allFigures(d: SweepData): Figure[] {
  return [figureDrop(d), figureBudget(d), figureEqualBudget(d), tableInterpolation(d), figureInterpolation(d), figureMethods(d)]
}
