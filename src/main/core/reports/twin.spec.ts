// The dense baseline against a reference trainer: compared seed by seed only where the reference trained the
// sweep's very protocol (defaults filled in on both sides) on a test split of the same size; within 0.02 Dice
// passes, outside it fails and the report warns at the top.
import { describe, expect, it } from 'vitest'
import { TWIN_REFERENCE_FORMAT, type TwinReference } from '../../../shared/report-data'
import { SweepDefinitionSchema, type TrialRecord } from '../../../shared/sweep'
import { denseTrial, handData, handSweep } from './report.spec-helpers'
import { protocolOf, twinCheck } from './twin'
import { buildReport } from './write-report'

const protocol = { model: { kind: 'unet2d', depth: 3, baseChannels: 8, normalisation: 'batch' }, steps: 300, batchSize: 16, sliceSize: [64, 48], loss: { kind: 'dice-ce' } }
const { model, ...train } = protocol
const sweep = { ...handSweep, definition: SweepDefinitionSchema.parse({ grid: { densities: [0.1], volumeFractions: [1], models: [{ name: 'u', model }] }, train: { ...train, valEvery: 30 } }) }

const curve = [{ step: 210, dice: 0.85, iou: 0.75 }, { step: 240, dice: 0.855, iou: 0.75 }, { step: 300, dice: 0.857, iou: 0.75 }]
const reference = (runs: [number, number][], over: Partial<TwinReference> = {}): TwinReference => ({
  format: TWIN_REFERENCE_FORMAT, version: 1, trainer: 'PyTorch twin', protocol, split: [10, 2, 4],
  runs: runs.map(([seed, testDice]) => ({ seed, testDice, steps: 300, curve, msPerStep: 2 })),
  ...over,
})
const data = (trials: TrialRecord[]) => handData([], { sweep, trials })

describe('twinCheck', () => {
  it('passes where every seed is within 0.02, naming each seed and the reference plateau', () => {
    const check = twinCheck(data([denseTrial(0, 0.866), denseTrial(1, 0.85)]), reference([[0, 0.865], [1, 0.869]]))
    expect(check).toEqual({
      status: 'pass',
      line:
        'The dense baseline matches a reference trained with the same protocol (PyTorch twin): test Dice within 0.02 of it for 2 of 2 seeds ' +
        '(seed 0: ours 0.866, 0.865 (+0.001); seed 1: ours 0.850, 0.869 (−0.019)). The reference plateaued in 2 of 2 of these runs by the same rule.',
    })
  })

  it('fails where a seed is further than 0.02, and the report warns about it at the top', () => {
    const d = data([denseTrial(0, 0.866), denseTrial(1, 0.84)])
    const ref = reference([[0, 0.865], [1, 0.869]])
    expect(twinCheck(d, ref)).toMatchObject({ status: 'fail', line: expect.stringMatching(/^The dense baseline does not match .* by more than 0\.02 for 1 of 2 seeds .*seed 1: ours 0\.840, 0\.869 \(−0\.029\)/) })
    const report = buildReport(d, { total: 2, queued: 0, running: 0, done: 2, failed: 0, cancelled: 0 }, ref)
    expect(report.warnings).toEqual([twinCheck(d, ref).line])
    expect(report.about[0]).toBe(twinCheck(d, ref).line)
  })

  it('compares the protocols with defaults filled in: the same protocol written out in full matches', () => {
    const full = { ...protocol, optimizer: { kind: 'adam', lr: 1e-3 }, augment: {}, loss: { kind: 'dice-ce', focalGamma: 2 }, model: { normalisation: 'batch', baseChannels: 8, depth: 3 } }
    expect(protocolOf(full)).toEqual(protocolOf(protocol))
    expect(twinCheck(data([denseTrial(0, 0.866)]), reference([[0, 0.86]], { protocol: full })).status).toBe('pass')
  })

  it('does not compare another protocol, and names the fields that differ', () => {
    const check = twinCheck(data([denseTrial(0, 0.866)]), reference([[0, 0.866]], { protocol: { ...protocol, steps: 3000, loss: { kind: 'ce' } } }))
    expect(check).toEqual({ status: 'none', line: "The reference (PyTorch twin) trained another protocol than this sweep's dense baseline (differing in u: loss, steps): no comparison." })
  })

  it('does not compare a reference scored on another number of test volumes', () => {
    expect(twinCheck(data([denseTrial(0, 0.866, { volumes: 5 })]), reference([[0, 0.866]])).line).toBe('The reference (PyTorch twin) was scored on 4 test volumes, this sweep on 5: no comparison.')
  })

  it('says which of the reference seeds have no done dense trial yet', () => {
    expect(twinCheck(data([denseTrial(0, 0.866)]), reference([[0, 0.87], [2, 0.87]])).line).toMatch(/for 1 of 1 seeds \(seed 0: .*\); no dense trial of seed 2 is done to compare\./)
    expect(twinCheck(data([]), reference([[1, 0.87]]))).toEqual({ status: 'none', line: 'The reference (PyTorch twin) has dense runs of seeds 1; no dense trial of seed 1 is done to compare.' })
  })
})
