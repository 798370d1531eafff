/**
 * The paper's three findings asked of a sweep, each answered from the same pairs as the figure it summarises
 * (pairs.ts) under verdict.ts's rules:
 * 1. fewer slices per volume in more volumes is better at equal budget (Fig. 3, the lines' ends pooled);
 * 2. representative selection (unsupervised active learning) is not better than random or fixed (Fig. 5);
 * 3. interpolated masks rarely improve the model (Fig. 4).
 * Finding 1 claims a difference: it holds where the test finds one in its direction. Findings 2 and 3 claim the
 * absence of a gain: they hold where no gain is detected although one could have been (n ≥ 6 pairs, the fewest
 * with which the test and the median's interval can name a side); with fewer pairs nothing could be detected,
 * and the verdict says so instead of calling the silence agreement.
 */
import type { PaperFinding, SweepData } from '../../../shared/report-data'
import { allOf, groupBy } from './group'
import { equalBudgetLines, interpolationPairs, methodPairs } from './pairs'
import { comparePaired, describeComparison, medianIntervalRank, type Comparison } from './verdict'

const IOU = { digits: 3, name: 'IoU' }
type Verdict = PaperFinding['verdict']

/** The representative-selection method's name in grids (unsupervised active learning in the paper). */
export const UAL_METHOD = 'representative'

/** Whether n pairs all in one direction would let verdict.ts name a side. */
const canDetect = (c: Comparison): boolean => medianIntervalRank(c.pairs) > 0

/**
 * Several comparisons' verdicts as one: theirs where they agree; a contradiction anywhere contradicts; else
 * (some hold, some cannot tell) not detectable as a whole.
 */
function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'not measured'
  if (verdicts.every((v) => v === verdicts[0])) return verdicts[0] as Verdict
  return verdicts.includes('contradicted') ? 'contradicted' : 'not detectable'
}

/** The sentence's head: the verdict in words, "in part" where the comparisons disagree. */
function headOf(verdicts: readonly Verdict[]): string {
  const v = combine(verdicts)
  const mixed = !verdicts.every((x) => x === verdicts[0])
  if (v === 'holds') return 'Holds here'
  if (v === 'contradicted') return mixed ? 'Does not hold here in at least one comparison' : 'Does not hold here'
  return mixed ? 'Holds here only in part; the rest cannot be told' : 'Not detectable here'
}

const PAPER = {
  volumes: 'at an equal budget, annotating fewer slices per volume in more volumes trains a better model',
  selection: 'choosing slices by unsupervised active learning (representative selection) is not better than choosing them at random or at fixed intervals',
  interpolation: 'training on masks interpolated between the annotated slices rarely improves the model',
} as const

/** Finding 1, per model: the most-volumes end of each equal-budget line against its fewest-volumes end. */
export function volumesFinding(d: SweepData): PaperFinding {
  const byModel = [...groupBy(equalBudgetLines(d).filter((l) => l.differences.length > 0), (l) => l.model).entries()]
  if (byModel.length === 0) return { id: 'volumes', paper: PAPER.volumes, verdict: 'not measured', sentence: 'No two done cells of equal budget (ρ·s) share a seed, so this was not measured.' }
  const parts = byModel.map(([model, lines]) => {
    const c = comparePaired(lines.flatMap((l) => l.differences))
    const verdict: Verdict = c.verdict === 'higher' ? 'holds' : c.verdict === 'lower' ? 'contradicted' : 'not detectable'
    const where = `${lines.length === 1 ? 'the line' : allOf(lines.length, 'line')} of equal budget (${lines.map((l) => l.budget).join(', ')})${byModel.length > 1 ? ` of ${model}` : ''}`
    return { verdict, text: `over ${where}, ${describeComparison(c, { first: 'the most volumes with the fewest slices each', second: 'the fewest volumes with the most' }, IOU, lines.length === 1 ? 'seed' : 'line and seed')}` }
  })
  const verdicts = parts.map((p) => p.verdict)
  return { id: 'volumes', paper: PAPER.volumes, verdict: combine(verdicts), sentence: `${headOf(verdicts)}: ${parts.map((p) => p.text).join('; ')}.` }
}

/** Finding 2, per model: representative against each other method on the same cells and seeds. */
export function selectionFinding(d: SweepData): PaperFinding {
  const pairs = methodPairs(d).filter((p) => p.first === UAL_METHOD || p.second === UAL_METHOD)
  if (pairs.length === 0) return { id: 'selection', paper: PAPER.selection, verdict: 'not measured', sentence: `No done trials pair ${UAL_METHOD} selection with another method on the same cell and seed, so this was not measured.` }
  const parts = pairs.map((p) => {
    const other = p.first === UAL_METHOD ? p.second : p.first
    const c = comparePaired(p.first === UAL_METHOD ? p.differences : p.differences.map((x) => -x))
    const verdict: Verdict = c.verdict === 'higher' ? 'contradicted' : canDetect(c) ? 'holds' : 'not detectable'
    return { verdict, text: describeComparison(c, { first: UAL_METHOD, second: `${other}${modelsNote(pairs.map((x) => x.model), p.model)}` }, IOU, 'cell and seed') }
  })
  return absenceFinding('selection', PAPER.selection, parts)
}

/** Finding 3, per model and interpolation method: with against without interpolated masks on the same plans. */
export function interpolationFinding(d: SweepData): PaperFinding {
  const groups = [...groupBy(interpolationPairs(d), (p) => `${p.model}|${p.interpolation}`).values()]
  if (groups.length === 0) return { id: 'interpolation', paper: PAPER.interpolation, verdict: 'not measured', sentence: 'No done trial with interpolated masks has its twin on the sparse slices alone (same plan and seed), so this was not measured.' }
  const parts = groups.map((g) => {
    const f = g[0] as (typeof g)[number]
    const c = comparePaired(g.map((p) => p.with - p.without))
    const verdict: Verdict = c.verdict === 'higher' ? 'contradicted' : canDetect(c) ? 'holds' : 'not detectable'
    const densities = [...new Set(g.map((p) => p.density))].sort((a, b) => a - b).join(', ')
    return { verdict, text: describeComparison(c, { first: `${f.interpolation} masks${modelsNote(groups.map((x) => (x[0] as typeof f).model), f.model)} (ρ ${densities})`, second: 'the sparse slices alone' }, IOU, 'plan and seed') }
  })
  return absenceFinding('interpolation', PAPER.interpolation, parts)
}

/** " (model m)" where the sweep has more than one model. */
const modelsNote = (models: readonly string[], model: string): string => (new Set(models).size > 1 ? ` (${model})` : '')

/** A finding that claims no gain: contradicted by any detected gain; holds only where a gain could have been detected. */
function absenceFinding(id: 'selection' | 'interpolation', paper: string, parts: { verdict: Verdict; text: string }[]): PaperFinding {
  const verdicts = parts.map((p) => p.verdict)
  const caveat = verdicts.includes('not detectable') ? ' Below 6 pairs the test cannot name a side whatever the scores, so silence there is not agreement.' : ''
  return { id, paper, verdict: combine(verdicts), sentence: `${headOf(verdicts)}: ${parts.map((p) => p.text).join('; ')}.${caveat}` }
}

/** The three findings, in the paper's order. */
export function paperFindings(d: SweepData): PaperFinding[] {
  return [volumesFinding(d), selectionFinding(d), interpolationFinding(d)]
}
