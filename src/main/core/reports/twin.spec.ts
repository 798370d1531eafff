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
  it('passes where the mean test Dice over seeds is within 0.02 of the reference\'s, and gives both sides\' seeds and spread', () => {
    // Ours 0.866 and 0.850 (mean 0.858); the reference 0.865 and 0.885 (mean 0.875): −0.017. Seed 1 alone differs by 0.035.
    const check = twinCheck(data([denseTrial(0, 0.866), denseTrial(1, 0.85)]), reference([[0, 0.865], [1, 0.885]]))
    expect(check).toEqual({
      status: 'pass',
      line:
        'The dense baseline matches a reference trained with the same protocol (PyTorch twin): mean test Dice 0.858 over 2 seeds (seeds 0, 1: 0.850–0.866) ' +
        "against the reference's 0.875 over 2 seeds (seeds 0, 1: 0.865–0.885), a difference of −0.017 (within 0.02). The reference plateaued in 2 of its 2 runs by the same rule.",
    })
  })

  it('fails beyond 0.02, and the report warns about it at the top', () => {
    const d = data([denseTrial(0, 0.866), denseTrial(1, 0.84)])
    const ref = reference([[0, 0.885], [1, 0.869]])
    expect(twinCheck(d, ref)).toMatchObject({ status: 'fail', line: expect.stringMatching(/^The dense baseline does not match .*: mean test Dice 0\.853 over 2 seeds .* a difference of −0\.024 \(beyond 0\.02\)/) })
    expect(twinCheck(data([denseTrial(0, 0.84)]), ref)).toMatchObject({ status: 'fail', line: expect.stringMatching(/mean test Dice 0\.840 over 1 seed \(seed 0\) against the reference's 0\.877 over 2 seeds .* −0\.037 \(beyond 0\.02\)/) })
    const failing = data([denseTrial(0, 0.84)])
    const report = buildReport(failing, { total: 1, queued: 0, running: 0, done: 1, failed: 0, cancelled: 0 }, ref)
    expect(report.warnings).toEqual([twinCheck(failing, ref).line])
    expect(report.about[0]).toBe(twinCheck(failing, ref).line)
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

  it('says so where no dense trial is done yet', () => {
    expect(twinCheck(data([]), reference([[1, 0.87]]))).toEqual({ status: 'none', line: 'The reference (PyTorch twin) has dense runs of seeds 1; no dense trial of this sweep is done to compare.' })
  })
})
