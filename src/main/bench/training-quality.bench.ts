// Benchmark (long: ~hours on 2 cores): the training issue's quality protocol on the MSD hippocampus data,
// through the product's own path (plan → trainRun on a worker thread → test evaluation). Split 195/21/44;
// slices padded to 64×64; 2D U-Net, 3 down-levels, 16 base channels, batch norm, 3 classes; Adam 1e-3,
// batch 16, cross-entropy on annotated slices only, random flips; 3000 steps; mean test foreground Dice.
// The PyTorch CPU references are the figures for the same protocol on this machine class.
//
//   npm run bench -- training-quality                 every run below
//   QUALITY_RUNS=dense0,rho0.2 npm run bench -- training-quality
//   QUALITY_STEPS=300 …                               a shorter smoke run
//   QUALITY_THREADS=1 …                               wasm threads per run (default: one per core)
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importDataset } from '../core/datasets/import'
import { createPlan } from '../core/planning/plans'
import { openDatabase } from '../core/store/database'
import { trainRun } from '../core/training/run-training'
import { hippocampusDir } from '../test-support/shared-data'
import { trainOnWorker } from '../workers/train-runner'

interface QualityRun {
  readonly name: string
  readonly density: number | null
  readonly seed: number
  /** PyTorch CPU, same protocol (the figures). */
  readonly reference: number
}

const runs: readonly QualityRun[] = [
  { name: 'dense0', density: null, seed: 0, reference: 0.879 },
  { name: 'dense1', density: null, seed: 1, reference: 0.891 },
  { name: 'rho0.2', density: 0.2, seed: 0, reference: 0.894 },
  { name: 'rho0.05', density: 0.05, seed: 0, reference: 0.799 },
]
/** PyTorch's time per step for this protocol on this machine class (~7 minutes a run). */
const PYTORCH_MS_PER_STEP = 140

export default async function benchTrainingQuality(): Promise<void> {
  if (!hippocampusDir) {
    console.log('training-quality: skipped, ../shared/data/msd-hippocampus is not here')
    return
  }
  const steps = Number(process.env.QUALITY_STEPS ?? 3000)
  const threads = Number(process.env.QUALITY_THREADS ?? 0)
  const chosen = process.env.QUALITY_RUNS?.split(',') ?? runs.map((r) => r.name)
  const root = mkdtempSync(join(tmpdir(), 'wb-quality-'))
  const db = openDatabase(join(root, 'quality.db'))
  const workspace = join(root, 'ws')
  const dataset = importDataset({ db, workspace }, { folder: hippocampusDir, name: 'hippocampus' })
  console.log(`training-quality: hippocampus split ${dataset.split.train}/${dataset.split.val}/${dataset.split.test}, ${steps} steps a run, store ${join(root, 'quality.db')}`)
  for (const run of runs.filter((r) => chosen.includes(r.name))) {
    const planId =
      run.density === null
        ? null
        : (await createPlan(db, { dataset: 'hippocampus', density: run.density, volumeFraction: 1, method: 'fixed', seed: run.seed })).plan.planId
    const started = performance.now()
    let lastLog = 0
    const { runId, result } = await trainRun(
      { db, workspace, runner: trainOnWorker },
      {
        datasetId: dataset.id,
        planId,
        seed: run.seed,
        steps,
        batchSize: 16,
        sliceSize: [64, 64],
        model: { kind: 'unet2d', depth: 3, baseChannels: 16, normalisation: 'batch' },
        optimizer: { kind: 'adam', lr: 1e-3 },
        loss: { kind: 'ce' },
        augment: { flip: true },
        logEvery: 50,
        threads,
      },
      {
        onProgress: (p) => {
          if (p.phase !== 'training' || performance.now() - lastLog < 60_000) return
          lastLog = performance.now()
          console.log(`  ${run.name}: step ${p.step}/${p.steps} loss ${p.loss?.toFixed(4)} ${p.stepsPerSecond?.toFixed(2)} steps/s`)
        },
      },
    )
    const minutes = (performance.now() - started) / 60_000
    const dice = result.evaluation?.meanDice ?? Number.NaN
    const timeRatio = result.timings.msPerStep / PYTORCH_MS_PER_STEP
    console.log(
      `training-quality ${run.name} (run ${runId}): test Dice ${dice.toFixed(3)} vs PyTorch ${run.reference.toFixed(3)} (Δ ${(dice - run.reference).toFixed(3)}); ` +
        `${result.timings.msPerStep.toFixed(0)} ms/step on ${result.backend}×${result.threads} (${timeRatio.toFixed(2)}× PyTorch's ${PYTORCH_MS_PER_STEP} ms); ${minutes.toFixed(1)} min in all; ` +
        `${result.annotatedSlices} annotated slices in ${result.trainVolumes} volumes; peak RSS ${result.peakRssMb.toFixed(0)} MB`,
    )
  }
  db.close()
}
