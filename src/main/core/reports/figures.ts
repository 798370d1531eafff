/**
 * The paper's figures computed from a sweep's trials: each as rows of data (mean ± std and 95 % CI over
 * seeds), a Vega-Lite chart, the paired tests it rests on, and one plain sentence computed from the data.
 */
import type { TopLevelSpec } from 'vega-lite'
import { summarise } from '../stats/summary'
import { wilcoxonSignedRank } from '../stats/wilcoxon'
import { countOf, describeP, groupBy, mean, round } from './group'
import type { SweepData, TrialPoint } from './load'

export type Row = Record<string, string | number | null>

export interface StatTest {
  figure: string
  comparison: string
  model: string
  /** Pairs with a non-zero difference. */
  n: number
  statistic: number
  pValue: number
  medianDifference: number
  method: 'exact' | 'normal'
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

const stats = (prefix: string, values: number[]): Row => {
  const s = summarise(values)
  return { [`${prefix}Mean`]: round(s.mean), [`${prefix}Std`]: round(s.std), [`${prefix}CiLow`]: round(s.ciLow), [`${prefix}CiHigh`]: round(s.ciHigh), seeds: s.n }
}
const sparse = (d: SweepData): TrialPoint[] => d.points.filter((p) => !p.dense && p.interpolation === 'none')
const cellKey = (p: TrialPoint): string => `${p.model}|${p.density}|${p.volumeFraction}`
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`

/**
 * A line chart with error bars over seeds, one facet per model. With `y.range` the axis shows only the
 * metric's possible values and the error bars are clipped to it: with two seeds a 95 % t-interval is ±12.7 std
 * wide and would otherwise stretch an IoU axis from −1 to 2 (the CSV and JSON keep the intervals unclipped).
 */
function lineChart(title: string, rows: Row[], x: { field: string; title: string; log?: boolean }, y: { field: string; title: string; range?: [number, number] }, color: { field: string; title: string }): TopLevelSpec {
  const encX = { field: x.field, type: 'quantitative' as const, title: x.title, scale: x.log ? { type: 'log' as const } : { zero: false } }
  const scaleY = y.range ? { domain: y.range, clamp: true } : { zero: false }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { field: 'model', type: 'nominal', title: 'model' },
    spec: {
      width: 320,
      height: 220,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: encX, y: { field: `${y.field}Mean`, type: 'quantitative', title: y.title, scale: scaleY }, color: { field: color.field, type: 'nominal', title: color.title } } },
        { mark: 'errorbar', encoding: { x: encX, y: { field: `${y.field}CiLow`, type: 'quantitative', title: y.title, scale: scaleY }, y2: { field: `${y.field}CiHigh` }, color: { field: color.field, type: 'nominal' } } },
      ],
    },
  } as TopLevelSpec
}

/** Fig. 1: mean performance drop against dense training, by budget, one series per density. */
export function figureDrop(d: SweepData): Figure {
  const dense = new Map(d.points.filter((p) => p.dense).map((p) => [`${p.model}|${p.seed}`, p.meanIou]))
  // Per seed: the cell's IoU (methods averaged) as a relative drop from that seed's dense model.
  const perSeed = [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()].flatMap((g) => {
    const first = g[0] as TrialPoint
    const base = dense.get(`${first.model}|${first.seed}`)
    if (base === undefined || base <= 0) return []
    return [{ ...first, drop: (base - mean(g.map((p) => p.meanIou))) / base, budgetFraction: mean(g.map((p) => p.budgetFraction)) }]
  })
  const rows = [...groupBy(perSeed, cellKey).values()].map((g): Row => {
    const f = g[0] as (typeof perSeed)[number]
    return { model: f.model, density: f.density, volumeFraction: f.volumeFraction, budgetFraction: round(mean(g.map((p) => p.budgetFraction))), ...stats('drop', g.map((p) => 100 * p.drop)) }
  })
  if (rows.length === 0) return { id: 'fig1-drop', title: 'Fig. 1: drop against dense training', sentence: 'No sparse trial has a dense baseline of the same model and seed yet.', rows, chart: null, tests: [] }
  const drops = rows.map((r) => r.dropMean as number)
  const best = rows[drops.indexOf(Math.min(...drops))] as Row
  const worst = rows[drops.indexOf(Math.max(...drops))] as Row
  const cell = (r: Row): string => `ρ = ${r.density}, s = ${r.volumeFraction}, ${pct(r.budgetFraction as number)} of the slices`
  // A negative drop is a sparse cell that beat dense training (seen with short training, where dense data is
  // seen less than once); the sentence says "above" rather than a negative loss.
  const change = (drop: number): string => (drop < 0 ? `${(-drop).toFixed(1)} % above` : `${drop.toFixed(1)} % below`)
  const bestDrop = best.dropMean as number
  const worstDrop = worst.dropMean as number
  const sentence =
    bestDrop >= 0
      ? `Against dense training, sparse annotation lost between ${bestDrop.toFixed(1)} % (${cell(best)}) and ${worstDrop.toFixed(1)} % of the IoU (${cell(worst)}).`
      : `Against dense training, sparse annotation scored from ${change(bestDrop)} dense (${cell(best)}) to ${change(worstDrop)} dense (${cell(worst)}); ` +
        `${rows.filter((r) => (r.dropMean as number) < 0).length} of ${rows.length} sparse cells beat the dense baseline.`
  const chart = lineChart('Fig. 1: IoU drop against dense training (%)', rows, { field: 'budgetFraction', title: 'budget (fraction of training slices)', log: true }, { field: 'drop', title: 'drop against dense (%)' }, { field: 'density', title: 'density ρ' })
  return { id: 'fig1-drop', title: 'Fig. 1: mean performance drop against dense training, by budget', sentence, rows, chart, tests: [] }
}

/** Fig. 2: IoU against budget, one series per volume count s. */
export function figureBudget(d: SweepData): Figure {
  const rows = [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()]
    .map((g) => ({ ...(g[0] as TrialPoint), meanIou: mean(g.map((p) => p.meanIou)) }))
  const cells = [...groupBy(rows, cellKey).values()].map((g): Row => {
    const f = g[0] as TrialPoint
    return { model: f.model, volumeFraction: f.volumeFraction, density: f.density, budgetFraction: round(mean(g.map((p) => p.budgetFraction))), ...stats('iou', g.map((p) => p.meanIou)) }
  })
  const best = cells.reduce<Row | null>((b, r) => (b === null || (r.iouMean as number) > (b.iouMean as number) ? r : b), null)
  const sentence = best
    ? `The best sparse cell was ρ = ${best.density}, s = ${best.volumeFraction} (${best.model}): IoU ${(best.iouMean as number).toFixed(3)} with ${pct(best.budgetFraction as number)} of the training slices annotated.`
    : 'No sparse trial is done yet.'
  const chart = cells.length ? lineChart('Fig. 2: IoU against budget', cells, { field: 'budgetFraction', title: 'budget (fraction of training slices)', log: true }, { field: 'iou', title: 'test IoU (95 % CI clipped to 0–1)', range: [0, 1] }, { field: 'volumeFraction', title: 'volume count s' }) : null
  return { id: 'fig2-budget', title: 'Fig. 2: IoU against budget, coloured by volume count', sentence, rows: cells, chart, tests: [] }
}

/** Fig. 3: IoU against density along lines of equal budget (ρ·s constant), with the paper's question answered. */
export function figureEqualBudget(d: SweepData): Figure {
  const perSeed = [...groupBy(sparse(d), (p) => `${cellKey(p)}|${p.seed}`).values()].map((g) => ({ ...(g[0] as TrialPoint), meanIou: mean(g.map((p) => p.meanIou)) }))
  const lines = [...groupBy(perSeed, (p) => `${p.model}|${p.nominalBudget}`).values()].filter((g) => new Set(g.map((p) => p.density)).size >= 2)
  const rows: Row[] = []
  const tests: StatTest[] = []
  let moreVolumesWon = 0
  for (const line of lines) {
    const f = line[0] as TrialPoint
    const cells = [...groupBy(line, cellKey).values()]
    for (const g of cells) {
      const c = g[0] as TrialPoint
      rows.push({ model: c.model, budget: c.nominalBudget, density: c.density, volumeFraction: c.volumeFraction, ...stats('iou', g.map((p) => p.meanIou)) })
    }
    // The line's two ends: most volumes (fewest slices each) against fewest volumes (most slices each).
    const bySpread = [...cells].sort((a, b) => (a[0] as TrialPoint).volumeFraction - (b[0] as TrialPoint).volumeFraction)
    const few = bySpread[0] as TrialPoint[]
    const many = bySpread.at(-1) as TrialPoint[]
    if (mean(many.map((p) => p.meanIou)) > mean(few.map((p) => p.meanIou))) moreVolumesWon++
    const seeds = many.map((p) => p.seed).filter((s) => few.some((q) => q.seed === s))
    if (seeds.length > 0) {
      const w = wilcoxonSignedRank(seeds.map((s) => (many.find((p) => p.seed === s) as TrialPoint).meanIou), seeds.map((s) => (few.find((p) => p.seed === s) as TrialPoint).meanIou))
      tests.push({ figure: 'fig3', comparison: `budget ${f.nominalBudget}: s = ${(many[0] as TrialPoint).volumeFraction} vs s = ${(few[0] as TrialPoint).volumeFraction}`, model: f.model, n: w.n, statistic: w.statistic, pValue: w.pValue, medianDifference: w.medianDifference, method: w.method })
    }
  }
  const sentence = lines.length
    ? `At ${countOf(moreVolumesWon, lines.length, 'budget')} with several ways to spend it, more volumes with fewer slices each scored a higher mean IoU than fewer volumes with more slices.`
    : 'The grid has no two cells of equal budget (ρ·s), so density and volume count cannot be traded off here.'
  const chart = rows.length
    ? lineChart('Fig. 3: IoU along lines of equal budget', rows.map((r) => ({ ...r, budget: String(r.budget) })), { field: 'density', title: 'density ρ', log: true }, { field: 'iou', title: 'test IoU (95 % CI clipped to 0–1)', range: [0, 1] }, { field: 'budget', title: 'budget ρ·s' })
    : null
  return { id: 'fig3-equal-budget', title: 'Fig. 3: IoU against density along lines of equal budget', sentence, rows, chart, tests }
}

/** Table 3: interpolated-mask IoU by density, per interpolation method (the sweep's plans). */
export function tableInterpolation(d: SweepData): Figure {
  const rows = [...groupBy(d.interpolation, (p) => `${p.method}|${p.density}`).values()].map((g): Row => {
    const f = g[0] as (typeof d.interpolation)[number]
    return { method: f.method, density: f.density, plans: g.length, ...stats('iou', g.map((p) => p.meanIou)), diceMean: round(mean(g.map((p) => p.meanDice))) }
  })
  rows.sort((a, b) => String(a.method).localeCompare(String(b.method)) || (a.density as number) - (b.density as number))
  const byMethod = [...groupBy(rows, (r) => String(r.method)).values()].map((g) => ({ method: String(g[0]?.method), iou: mean(g.map((r) => r.iouMean as number)) }))
  const best = byMethod.sort((a, b) => b.iou - a.iou)[0]
  const sentence = best
    ? `Interpolated masks reached a mean IoU of ${best.iou.toFixed(3)} against the dense labels with ${best.method}${byMethod.length > 1 ? `, the best of ${byMethod.length} methods` : ''}; ${rows.length > 1 ? 'quality rises with density' : 'one density was measured'}.`
    : 'This sweep interpolated no plan (add an interpolation method to the grid).'
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
  return { id: 'table3-interpolation', title: 'Table 3: interpolated-mask IoU by density, per method', sentence, rows, chart, tests: [] }
}

/** Fig. 4: training with against without interpolated masks on the same slices, paired by plan and seed. */
export function figureInterpolation(d: SweepData): Figure {
  const without = new Map(sparse(d).map((p) => [`${cellKey(p)}|${p.method}|${p.seed}`, p]))
  const pairs = d.points
    .filter((p) => !p.dense && p.interpolation !== 'none')
    .flatMap((p) => {
      const base = without.get(`${cellKey(p)}|${p.method}|${p.seed}`)
      return base ? [{ model: p.model, interpolation: p.interpolation, density: p.density, volumeFraction: p.volumeFraction, method: p.method, seed: p.seed, without: base.meanIou, with: p.meanIou }] : []
    })
  const rows: Row[] = pairs.map((p) => ({ ...p, without: round(p.without), with: round(p.with), difference: round(p.with - p.without) }))
  const tests: StatTest[] = []
  const parts: string[] = []
  for (const g of groupBy(pairs, (p) => `${p.model}|${p.interpolation}`).values()) {
    const f = g[0] as (typeof pairs)[number]
    const w = wilcoxonSignedRank(g.map((p) => p.with), g.map((p) => p.without))
    tests.push({ figure: 'fig4', comparison: `${f.interpolation} vs none`, model: f.model, n: w.n, statistic: w.statistic, pValue: w.pValue, medianDifference: w.medianDifference, method: w.method })
    const higher = g.filter((p) => p.with > p.without).length
    parts.push(`with ${f.interpolation} masks ${f.model} scored higher in ${countOf(higher, g.length, 'pair')} (median difference ${w.medianDifference >= 0 ? '+' : ''}${w.medianDifference.toFixed(3)} IoU, Wilcoxon ${describeP(w.pValue)})`)
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
  for (const g of groupBy(relative, (p) => p.model).values()) {
    const methods = [...new Set(g.map((p) => p.method))]
    for (let i = 0; i < methods.length; i++) {
      for (let j = i + 1; j < methods.length; j++) {
        const a = new Map(g.filter((p) => p.method === methods[i]).map((p) => [`${cellKey(p)}|${p.seed}`, p.meanIou]))
        const paired = g.filter((p) => p.method === methods[j] && a.has(`${cellKey(p)}|${p.seed}`))
        const w = wilcoxonSignedRank(paired.map((p) => a.get(`${cellKey(p)}|${p.seed}`) as number), paired.map((p) => p.meanIou))
        tests.push({ figure: 'fig5', comparison: `${methods[i]} vs ${methods[j]}`, model: (g[0] as TrialPoint).model, n: w.n, statistic: w.statistic, pValue: w.pValue, medianDifference: w.medianDifference, method: w.method })
      }
    }
  }
  let sentence = 'The grid has one selection method, so methods cannot be compared.'
  if (rows.length) {
    const best = [...rows].sort((a, b) => (b.relativeMean as number) - (a.relativeMean as number))[0] as Row
    const significant = tests.filter((t) => t.pValue < 0.05)
    sentence =
      `${best.method} scored ${(best.relativeMean as number) >= 0 ? '+' : ''}${(best.relativeMean as number).toFixed(1)} % against the mean of the methods on the same cells (${best.model}, the best); ` +
      (significant.length ? `${countOf(significant.length, tests.length, 'pairwise comparison')} differed significantly (Wilcoxon p < 0.05).` : `no pair of methods differed significantly (Wilcoxon, all p ≥ 0.05 over ${countOf(tests.length, tests.length, 'comparison')}).`)
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
