/**
 * The dense baseline against a reference trainer (the PyTorch twin of the same protocol): the report's check that
 * our trainer reaches what PyTorch reaches. It compares only where the reference trained the very
 * protocol of the sweep's dense trials (model, loss, optimiser, schedule, augmentation, steps, batch, slice size)
 * on a split of the same test size; otherwise it says why it does not compare. The two trainers draw different
 * initialisations from the same seed, so it compares their mean test Dice over seeds, not seed against seed.
 */
import type { SweepData, TwinReference } from '../../../shared/report-data'
import { resolveModelConfig } from '../../../shared/models'
import { TrainConfigSchema } from '../../../shared/training'
import { mean } from './group'
import { plateauOf } from './plateau'
import { signed } from './verdict'

/** The largest |ours − reference| test Dice the check accepts (the issue's bar for the dense baseline). */
export const TWIN_TOLERANCE = 0.02

const PROTOCOL_FIELDS = ['model', 'loss', 'optimizer', 'schedule', 'augment', 'steps', 'batchSize', 'sliceSize'] as const

/** A train config's protocol with every default filled in, as comparable JSON per field. */
export function protocolOf(config: Record<string, unknown>): Record<(typeof PROTOCOL_FIELDS)[number], string> {
  const picked = Object.fromEntries(PROTOCOL_FIELDS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]))
  const parsed = TrainConfigSchema.parse({ datasetId: 1, ...picked })
  const full = { ...parsed, model: resolveModelConfig(parsed.model) }
  return Object.fromEntries(PROTOCOL_FIELDS.map((k) => [k, JSON.stringify(sortKeys(full[k]))])) as Record<(typeof PROTOCOL_FIELDS)[number], string>
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]))
}

export interface TwinCheck {
  /** One line for the report's head. */
  line: string
  /** pass: the mean test Dice within the tolerance of the reference's; fail: beyond it; none: nothing could be compared. */
  status: 'pass' | 'fail' | 'none'
}

const f3 = (x: number): string => x.toFixed(3)

/** The check of this sweep's dense baseline against the reference. */
export function twinCheck(data: SweepData, reference: TwinReference): TwinCheck {
  const who = reference.trainer
  const ref = protocolOf(reference.protocol)
  // The sweep's models whose protocol is the reference's.
  const differences: string[] = []
  const matching = data.sweep.definition.grid.models.filter((m) => {
    const ours = protocolOf({ ...data.sweep.definition.train, model: m.model })
    const differ = PROTOCOL_FIELDS.filter((k) => ours[k] !== ref[k])
    if (differ.length) differences.push(`${m.name}: ${differ.join(', ')}`)
    return differ.length === 0
  })
  if (matching.length === 0) return { status: 'none', line: `The reference (${who}) trained another protocol than this sweep's dense baseline (differing in ${differences.join('; ')}): no comparison.` }
  const names = new Set(matching.map((m) => m.name))
  const dense = data.trials.filter((t) => t.status === 'done' && t.spec.dense && names.has(t.spec.model) && t.metrics)
  const testVolumes = dense[0]?.metrics?.volumes.length
  if (testVolumes !== undefined && data.split === 'test' && testVolumes !== reference.split[2]) {
    return { status: 'none', line: `The reference (${who}) was scored on ${reference.split[2]} test volumes, this sweep on ${testVolumes}: no comparison.` }
  }
  if (dense.length === 0) return { status: 'none', line: `The reference (${who}) has dense runs of seeds ${reference.runs.map((r) => r.seed).join(', ')}; no dense trial of this sweep is done to compare.` }
  // Seeds are not paired across trainers (each draws its own initialisation), so the means over seeds are compared.
  const ours = dense.map((t) => t.metrics?.meanDice as number)
  const theirs = reference.runs.map((r) => r.testDice)
  const delta = mean(ours) - mean(theirs)
  const status = Math.abs(delta) <= TWIN_TOLERANCE ? 'pass' : 'fail'
  const side = (xs: number[], seeds: number[]): string =>
    `${f3(mean(xs))} over ${xs.length} seed${xs.length === 1 ? '' : 's'} (${xs.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds.join(', ')}: ${f3(Math.min(...xs))}–${f3(Math.max(...xs))}`})`
  const flat = reference.runs.filter((r) => plateauOf(r.curve, r.steps).status === 'plateaued').length
  return {
    status,
    line:
      `${status === 'pass' ? 'The dense baseline matches' : 'The dense baseline does not match'} a reference trained with the same protocol (${who}): mean test Dice ${side(ours, dense.map((t) => t.spec.seed))} ` +
      `against the reference's ${side(theirs, reference.runs.map((r) => r.seed))}, a difference of ${signed(delta, 3)} (${status === 'pass' ? 'within' : 'beyond'} ${TWIN_TOLERANCE}). ` +
      `The reference plateaued in ${flat} of its ${reference.runs.length} runs by the same rule.`,
  }
}
