// Benchmark (long: about 15 minutes a run on 2 cores): is the `paper-2d-hippo` protocol trained to its plateau, and
// does our trainer reach what PyTorch reaches with it? For each run, ours goes through the product's own path (plan →
// trainRun on a worker thread → test evaluation), then its PyTorch twin (pytorch/quality_twin.py: same net, loss,
// optimiser, steps, batch, slice size and split, on the very arrays the product loads, written by quality-bundle.ts)
// trains the same protocol. Prints both test Dice, their difference (the issue asks |Δ| ≤ 0.02 for the dense
// baseline), both ms/step and their ratio, and each side's plateau check from its validation curve.
//
//   npm run bench -- training-quality                    dense seed 0, and ρ 0.05 seed 0
//   QUALITY_RUNS=dense0,dense1 npm run bench -- training-quality
//   QUALITY_STEPS=300 …                                  a shorter smoke run
//   QUALITY_THREADS=1 …                                  threads for both sides (default 2)
//   QUALITY_SIDES=ours|twin …                            one side only
//   QUALITY_OUT=FILE …                                   also write the twin's dense runs as a reference file for
//                                                        `workbench report --reference FILE` (src/shared/report-data.ts)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TWIN_REFERENCE_FORMAT, TwinReferenceSchema, type TwinRun } from '../../shared/report-data'
import type { ValidationPoint } from '../../shared/training'
import { importDataset } from '../core/datasets/import'
import { createPlan } from '../core/planning/plans'
import { plateauOf } from '../core/reports/plateau'
import { openDatabase } from '../core/store/database'
import { hippocampusProtocol } from '../core/sweeps/presets'
import { trainRun } from '../core/training/run-training'
import { hippocampusDir } from '../test-support/shared-data'
import { trainOnWorker } from '../workers/train-runner'
import { writeQualityBundle } from './quality-bundle'

interface QualityRun {
  readonly name: string
  readonly density: number | null
  readonly seed: number
}

const runs: readonly QualityRun[] = [
  { name: 'dense0', density: null, seed: 0 },
  { name: 'dense1', density: null, seed: 1 },
  { name: 'dense2', density: null, seed: 2 },
  { name: 'rho0.05', density: 0.05, seed: 0 },
]
const defaultRuns = ['dense0', 'rho0.05']
const python = '/usr/bin/python3'
const twinScript = fileURLToPath(new URL('./pytorch/quality_twin.py', import.meta.url))

interface TwinReport {
  test_dice: number
  ms_per_step: number
  train_s: number
  val_curve: ValidationPoint[]
}

/** The report's plateau rule (validation Dice gains < 0.01 over the last fifth of the steps), in words. */
function plateau(curve: readonly ValidationPoint[], steps: number): string {
  const p = plateauOf(curve, steps)
  if (p.status === 'unknown') return p.reason
  return `${p.status === 'plateaued' ? 'plateau' : 'NOT at plateau'} (val Dice ${p.from.dice.toFixed(3)} at step ${p.from.step} → ${p.to.dice.toFixed(3)} at ${p.to.step}, ${p.rise >= 0 ? '+' : ''}${p.rise.toFixed(3)})`
}

function runTwin(bundle: string, threads: number, valEvery: number): TwinReport | string {
  const r = spawnSync(python, [twinScript, bundle, '--threads', String(threads), '--val-every', String(valEvery)], { encoding: 'utf8', timeout: 4 * 3600_000 })
  const line = r.stdout?.trim().split('\n').pop() ?? ''
  if (r.status !== 0 || !line.startsWith('{')) return r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')
  return JSON.parse(line) as TwinReport
}

export default async function benchTrainingQuality(): Promise<void> {
  if (!hippocampusDir) {
    console.log('training-quality: skipped, ../shared/data/msd-hippocampus is not here')
    return
  }
  const hasTorch = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0
  const steps = Number(process.env.QUALITY_STEPS ?? hippocampusProtocol.steps)
  const threads = Number(process.env.QUALITY_THREADS ?? 2)
  const sides = process.env.QUALITY_SIDES?.split(',') ?? ['ours', 'twin']
  const chosen = process.env.QUALITY_RUNS?.split(',') ?? defaultRuns
  // The plateau check needs a point at the start of the last fifth: ten points on the curve.
  const valEvery = Math.max(1, Math.round(steps / 10))
  const root = mkdtempSync(join(tmpdir(), 'wb-quality-'))
  const db = openDatabase(join(root, 'quality.db'))
  const workspace = join(root, 'ws')
  const dataset = importDataset({ db, workspace }, { folder: hippocampusDir, name: 'hippocampus' })
  console.log(
    `training-quality: the paper-2d-hippo protocol (${JSON.stringify({ ...hippocampusProtocol, steps })}); hippocampus split ` +
      `${dataset.split.train}/${dataset.split.val}/${dataset.split.test}; ${threads} thread(s) a side; store ${join(root, 'quality.db')}` +
      (hasTorch || !sides.includes('twin') ? '' : `; the PyTorch twin is skipped: ${python} has no torch/numpy (Debian python3-torch)`),
  )
  const twinRuns: TwinRun[] = []
  for (const run of runs.filter((r) => chosen.includes(r.name))) {
    const planId =
      run.density === null
        ? null
        : (await createPlan(db, { dataset: 'hippocampus', density: run.density, volumeFraction: 1, method: 'fixed', seed: run.seed })).plan.planId
    const config = { ...hippocampusProtocol, datasetId: dataset.id, planId, seed: run.seed, steps, valEvery, logEvery: 50, threads, evaluateOn: 'test' }
    let ours: { dice: number; msPerStep: number; minutes: number; plateau: string } | null = null
    if (sides.includes('ours')) {
      const started = performance.now()
      const { runId, result } = await trainRun({ db, workspace, runner: trainOnWorker }, config)
      ours = {
        dice: result.evaluation?.meanDice ?? Number.NaN,
        msPerStep: result.timings.msPerStep,
        minutes: (performance.now() - started) / 60_000,
        plateau: plateau(result.validation?.curve ?? [], steps),
      }
      console.log(
        `  ${run.name} ours (run ${runId}): test Dice ${ours.dice.toFixed(3)}; ${ours.msPerStep.toFixed(0)} ms/step on ${result.backend}×${result.threads}; ` +
          `${ours.minutes.toFixed(1)} min in all; ${result.annotatedSlices} annotated slices in ${result.trainVolumes} volumes; peak RSS ${result.peakRssMb.toFixed(0)} MB; ${ours.plateau}`,
      )
    }
    if (sides.includes('twin') && hasTorch) {
      const bundle = join(root, `bundle-${run.name}`)
      await writeQualityBundle(db, config, bundle)
      const twin = runTwin(bundle, threads, valEvery)
      if (typeof twin === 'string') {
        console.log(`  ${run.name} PyTorch twin: failed (${twin})`)
        continue
      }
      if (run.density === null) twinRuns.push({ seed: run.seed, testDice: twin.test_dice, steps, curve: twin.val_curve, msPerStep: twin.ms_per_step })
      console.log(`  ${run.name} PyTorch twin: test Dice ${twin.test_dice.toFixed(3)}; ${twin.ms_per_step.toFixed(0)} ms/step; ${(twin.train_s / 60).toFixed(1)} min training; ${plateau(twin.val_curve, steps)}`)
      if (ours) {
        const delta = ours.dice - twin.test_dice
        console.log(
          `  ${run.name}: ours − PyTorch = ${delta >= 0 ? '+' : ''}${delta.toFixed(3)} Dice (${Math.abs(delta) <= 0.02 ? 'within' : 'OUTSIDE'} 0.02); ` +
            `time per step ours/PyTorch = ${(ours.msPerStep / twin.ms_per_step).toFixed(2)}×`,
        )
      }
    }
  }
  db.close()
  const out = process.env.QUALITY_OUT
  if (out && twinRuns.length > 0) {
    const torch = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()
    const reference = TwinReferenceSchema.parse({
      format: TWIN_REFERENCE_FORMAT,
      version: 1,
      trainer: `PyTorch ${torch} twin (src/main/bench/pytorch/quality_twin.py), ${threads} thread${threads === 1 ? '' : 's'}`,
      protocol: { ...hippocampusProtocol, steps },
      split: [dataset.split.train, dataset.split.val, dataset.split.test],
      runs: twinRuns,
    })
    writeFileSync(out, `${JSON.stringify(reference, null, 1)}\n`)
    console.log(`training-quality: the twin's ${twinRuns.length} dense run(s) written to ${out} (workbench report --reference ${out})`)
  } else if (out) {
    console.log(`training-quality: no dense twin run finished, so ${out} was not written`)
  }
}
