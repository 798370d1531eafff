// Benchmark / diagnostic (issue 5): does our engine TRAIN the U-Net as PyTorch does, from the same weights on the
// same batch? Builds the product's unet2d (depth 2, base 8, batch norm, 3 classes) with init Rng
// deriveRng(seed, 'init'), draws one fixed batch of 8 64×64 slices of the sample dataset with deriveRng(seed,
// 'batches') (seed 0 is the case that failed to overfit one batch), and trains on that batch only, with the lines
// of train.ts (computeLoss 'ce', createOptimizer 'adam', lr 3e-3). Before training it writes every weight and
// state tensor, the batch, our first-pass logits, step-1 gradients and the weights after step 1 to a temp dir
// (raw little-endian + manifest.json); pytorch/parity.py loads them into unet_step.py's UNet (Debian's
// python3-torch at /usr/bin/python3), checks forward, gradients and the first Adam step, and trains the same
// steps in float32 and float64. Printed side by side: losses, gradient differences, final foreground counts.
//
//   npm run bench -- training-parity                     seeds 0 and 1, 150 steps, batch norm
//   tsx src/main/bench/training-parity.bench.ts [--steps N] [--seeds 0,1] [--norm batch|instance] [--backend wasm|cpu] [--keep]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { endianness, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import type { Normalisation } from '../../shared/training'
import { importDataset } from '../core/datasets/import'
import { deriveRng } from '../core/random/rng'
import { openDatabase } from '../core/store/database'
import { selectBackend } from '../core/training/backend'
import { createSliceSampler } from '../core/training/data'
import { loadTrainingVolume } from '../core/training/load-volumes'
import { computeLoss } from '../core/training/losses'
import { buildModel } from '../core/training/models/build-model'
import { createOptimizer } from '../core/training/optim/optimizers'
import { resolveTrainJob } from '../core/training/resolve-job'
import type { Batch, TrainingVolume } from '../core/training/types'

export interface ParityOptions {
  readonly steps?: number
  readonly seeds?: readonly number[]
  readonly normalisation?: Exclude<Normalisation, 'none'>
  /** Our backend (default: selectBackend's pick, wasm here); 'cpu' tells the wasm kernels' rounding apart. */
  readonly backend?: 'wasm' | 'cpu'
  /** Keep the temp dirs (for re-running parity.py by hand). */
  readonly keep?: boolean
}

const python = '/usr/bin/python3'
const parityScript = fileURLToPath(new URL('./pytorch/parity.py', import.meta.url))
const sampleData = fileURLToPath(new URL('../../../resources/sample-data', import.meta.url))
const NUM_CLASSES = 3
const DEPTH = 2
const BASE = 8
const LR = 3e-3
const SLICE = 64
const BATCH = 8

interface TensorEntry {
  readonly file: string
  readonly shape: readonly number[]
  readonly dtype: 'float32' | 'int32'
}

/** Writes raw little-endian arrays into one dir and records them for manifest.json. */
class TensorDir {
  private count = 0
  constructor(readonly dir: string) {}
  write(data: Float32Array | Int32Array, shape: readonly number[]): TensorEntry {
    const file = `t${this.count++}.bin`
    writeFileSync(join(this.dir, file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    return { file, shape, dtype: data instanceof Int32Array ? 'int32' : 'float32' }
  }
  writeAll(vars: ReadonlyMap<string, tf.Tensor>): Record<string, TensorEntry> {
    return Object.fromEntries([...vars].map(([name, v]) => [name, this.write(v.dataSync() as Float32Array, v.shape)]))
  }
}

/** What PyTorch (parity.py) reports. */
interface TorchRun {
  readonly losses: number[]
  readonly fg_train: number
  readonly fg_eval: number
}
interface TorchReport {
  readonly upconv_probe: { weight: string; ours_vs_explicit: number; torch_vs_explicit: number }
  readonly logits0_rel_diff_f32: number
  readonly logits0_rel_diff_f64: number
  readonly grad_rel_diff_f32: Record<string, number>
  readonly grad_rel_diff_f64: Record<string, number>
  readonly after1_rel_diff_f32: Record<string, number>
  readonly after1_rel_diff_f64: Record<string, number>
  readonly grad_rel_diff_torch32_vs_f64: Record<string, number>
  readonly adam_only_rel_diff: Record<string, number>
  readonly f32: TorchRun
  readonly f64: TorchRun
  readonly truth_fg: number
  readonly torch: string
}

interface OurRun {
  readonly losses: number[]
  readonly fgTrain: number
  readonly fgEval: number
  readonly truthFg: number
}

/** Pixels whose argmax over classes is not background. */
function foregroundCount(net: ReturnType<typeof buildModel>, batch: Batch, training: boolean): number {
  const predicted = tf.tidy(() => tf.argMax(net.apply(tf.tensor(batch.images, [...batch.shape, 1]), training), -1).dataSync())
  let n = 0
  for (const v of predicted) if (v > 0) n++
  return n
}

/**
 * One case: dumps the net and batch into `out`, trains our net `steps` steps on the fixed batch (dumping the
 * step-1 logits, gradients and weights), and returns our figures with the manifest's tensor groups.
 */
function trainOurs(volumes: readonly TrainingVolume[], seed: number, normalisation: Exclude<Normalisation, 'none'>, steps: number, out: TensorDir): { ours: OurRun; manifest: Record<string, unknown> } {
  const net = buildModel({ kind: 'unet2d', depth: DEPTH, baseChannels: BASE, normalisation }, { inChannels: 1, numClasses: NUM_CLASSES, rng: deriveRng(seed, 'init') })
  const optimizer = createOptimizer({ kind: 'adam', lr: LR, weightDecay: 0, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, net.weights)
  const batch = createSliceSampler(volumes, { sliceSize: [SLICE, SLICE], batchSize: BATCH, rng: deriveRng(seed, 'batches') }).next()
  const manifest: Record<string, unknown> = {
    config: { depth: DEPTH, base: BASE, classes: NUM_CLASSES, inChannels: 1, normalisation, steps, lr: LR, threads: 1 },
    weights: out.writeAll(net.weights),
    state: out.writeAll(net.state),
    batch: {
      images: out.write(batch.images, batch.shape),
      labels: out.write(batch.labels, batch.shape),
      weights: out.write(batch.weights, batch.shape),
    },
  }
  // The transposed-conv layout probe: our conv2dTranspose of a small input with one upconv filter, no bias.
  const probeWeight = 'up1.upconv.w'
  const upW = net.weights.get(probeWeight)
  if (!upW) throw new Error(`no ${probeWeight}`)
  const [, , , upIn] = upW.shape as [number, number, number, number]
  const probeRng = deriveRng(seed, 'parity-probe')
  const probeX = Float32Array.from({ length: 2 * 3 * 3 * upIn }, () => 2 * probeRng.next() - 1)
  const probeY = tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(probeX, [2, 3, 3, upIn]), upW as tf.Tensor4D, [2, 6, 6, upW.shape[2] as number], 2, 'valid').dataSync() as Float32Array)
  manifest.probe = { weight: probeWeight, x: out.write(probeX, [2, 3, 3, upIn]), y: out.write(probeY, [2, 6, 6, upW.shape[2] as number]) }

  // From here on, the lines of train.ts's step (fixed batch, constant lr).
  const varList = [...net.weights.values()]
  const keyOf = new Map([...net.weights].map(([key, v]) => [v.name, key]))
  const losses: number[] = []
  for (let step = 0; step < steps; step++) {
    const loss = tf.tidy(() => {
      const x = tf.tensor(batch.images, [...batch.shape, 1])
      const y = tf.tensor(batch.labels, [...batch.shape], 'int32')
      const w = tf.tensor(batch.weights, [...batch.shape], 'float32')
      let logits: tf.Tensor | null = null
      const { value, grads } = tf.variableGrads(() => {
        const l = net.apply(x, true)
        if (step === 0) logits = tf.keep(l.clone())
        return computeLoss(l, y, w, { kind: 'ce', focalGamma: 2 }, NUM_CLASSES)
      }, varList)
      const named = new Map(Object.entries(grads).map(([name, g]) => [keyOf.get(name) ?? name, g]))
      if (step === 0 && logits !== null) {
        const l0: tf.Tensor = logits
        manifest.logits0 = out.write(l0.dataSync() as Float32Array, l0.shape)
        l0.dispose()
        manifest.grads = out.writeAll(named)
      }
      optimizer.step(named, LR)
      return value.dataSync()[0] as number
    })
    losses.push(loss)
    if (step === 0) {
      manifest.after1 = out.writeAll(net.weights)
      manifest.stateAfter1 = out.writeAll(net.state)
    }
  }
  let truthFg = 0
  for (const v of batch.labels) if (v > 0) truthFg++
  const fgTrain = foregroundCount(net, batch, true)
  const fgEval = foregroundCount(net, batch, false)
  optimizer.dispose()
  net.dispose()
  return { ours: { losses, fgTrain, fgEval, truthFg }, manifest }
}

function runTorch(dir: string): TorchReport | string {
  const r = spawnSync(python, [parityScript, dir], { encoding: 'utf8', timeout: 1_800_000 })
  const line = r.stdout?.trim().split('\n').pop() ?? ''
  if (r.status !== 0 || !line.startsWith('{')) return r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-5).join(' | ')
  return JSON.parse(line) as TorchReport
}

const fmt = (v: number | undefined, digits = 4): string => (v === undefined ? '—' : v.toFixed(digits))
const sci = (v: number): string => v.toExponential(1)
function worst(diffs: Record<string, number>): string {
  const sorted = Object.entries(diffs).sort((a, b) => b[1] - a[1])
  return sorted.slice(0, 3).map(([n, v]) => `${n} ${sci(v)}`).join(', ')
}

function report(seed: number, ours: OurRun, torch: TorchReport | string, steps: number): void {
  console.log(`  seed ${seed} (init deriveRng(${seed},'init'), batch deriveRng(${seed},'batches')):`)
  if (typeof torch === 'string') {
    console.log(`    PyTorch failed: ${torch}`)
    console.log(`    ours: losses ${ours.losses.map((l) => fmt(l)).join(' ')}; fg train/eval ${ours.fgTrain}/${ours.fgEval}, truth ${ours.truthFg}`)
    return
  }
  const p = torch.upconv_probe
  console.log(`    transposed-conv layout (${p.weight}) vs out[2i+a,2j+b,o]=Σc x[i,j,c]·w[a,b,o,c]: ours ${sci(p.ours_vs_explicit)}, torch ${sci(p.torch_vs_explicit)}`)
  console.log(`    step-1 logits rel. diff: vs torch f32 ${sci(torch.logits0_rel_diff_f32)}, vs f64 ${sci(torch.logits0_rel_diff_f64)}`)
  const g32 = Math.max(...Object.values(torch.grad_rel_diff_f32))
  const g64 = Math.max(...Object.values(torch.grad_rel_diff_f64))
  console.log(`    step-1 max rel. gradient diff: vs f32 ${sci(g32)} (worst: ${worst(torch.grad_rel_diff_f32)}); vs f64 ${sci(g64)}`)
  const t32 = Math.max(...Object.values(torch.grad_rel_diff_torch32_vs_f64))
  console.log(`    rounding floor: torch f32 vs f64 gradients ${sci(t32)} (worst: ${worst(torch.grad_rel_diff_torch32_vs_f64)})`)
  const a32 = Math.max(...Object.values(torch.after1_rel_diff_f32))
  const adam = Math.max(...Object.values(torch.adam_only_rel_diff))
  console.log(`    after one step, max rel. diff: weights+state vs torch f32 ${sci(a32)} (worst: ${worst(torch.after1_rel_diff_f32)}); torch's Adam on OUR gradients ${sci(adam)}`)
  const marks = [1, 10, 50, 100, 150, 200, 300].filter((s) => s <= steps)
  if (!marks.includes(steps)) marks.push(steps)
  console.log(`    ${'step'.padStart(6)} ${'ours'.padStart(8)} ${'torch32'.padStart(8)} ${'torch64'.padStart(8)}`)
  for (const s of marks) {
    console.log(`    ${String(s).padStart(6)} ${fmt(ours.losses[s - 1]).padStart(8)} ${fmt(torch.f32.losses[s - 1]).padStart(8)} ${fmt(torch.f64.losses[s - 1]).padStart(8)}`)
  }
  console.log(`    foreground pixels after ${steps} steps (train-mode / inference-mode), truth ${ours.truthFg} (torch: ${torch.truth_fg}):`)
  console.log(`      ours ${ours.fgTrain} / ${ours.fgEval}; torch f32 ${torch.f32.fg_train} / ${torch.f32.fg_eval}; torch f64 ${torch.f64.fg_train} / ${torch.f64.fg_eval}`)
}

/** Runs the parity check for each seed and prints its figures. */
export default async function benchTrainingParity(options: ParityOptions = {}): Promise<void> {
  const steps = options.steps ?? 150
  const seeds = options.seeds ?? [0, 1]
  const normalisation = options.normalisation ?? 'batch'
  if (endianness() !== 'LE') throw new Error('the parity files are written little-endian')
  const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
  if (!hasTorch) {
    console.log('training-parity: skipped, no PyTorch at /usr/bin/python3 (Debian python3-torch)')
    return
  }
  const workspace = mkdtempSync(join(tmpdir(), 'parity-ws-'))
  const db = openDatabase(':memory:')
  const dataset = importDataset({ db, workspace }, { folder: sampleData, name: 'sample' })
  const job = await resolveTrainJob({ db }, { datasetId: dataset.id })
  const backend = await selectBackend({ threads: 1, ...(options.backend ? { force: options.backend } : {}) })
  const volumes = job.train.map((v) => loadTrainingVolume(v, NUM_CLASSES))
  console.log(
    `training-parity: unet2d depth ${DEPTH}, base ${BASE}, ${normalisation} norm, ${NUM_CLASSES} classes, one fixed batch of ${BATCH} ${SLICE}×${SLICE} slices, ` +
      `Adam lr ${LR}, ${steps} steps; ours on ${backend.name} vs PyTorch CPU (same weights)`,
  )
  for (const seed of seeds) {
    const dir = mkdtempSync(join(tmpdir(), 'parity-'))
    const out = new TensorDir(dir)
    const { ours, manifest } = trainOurs(volumes, seed, normalisation, steps, out)
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
    report(seed, ours, runTorch(dir), steps)
    if (options.keep) console.log(`    files kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  db.close()
  rmSync(workspace, { recursive: true, force: true })
}

const thisFile = fileURLToPath(import.meta.url)
if (process.argv[1] === thisFile) {
  const args = process.argv.slice(2)
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag)
    return i >= 0 ? args[i + 1] : undefined
  }
  const backend = value('--backend')
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got ${backend}`)
  const norm = value('--norm')
  if (norm !== undefined && norm !== 'batch' && norm !== 'instance') throw new Error(`--norm must be batch or instance, got ${norm}`)
  await benchTrainingParity({
    ...(value('--steps') ? { steps: Number(value('--steps')) } : {}),
    ...(value('--seeds') ? { seeds: (value('--seeds') as string).split(',').map(Number) } : {}),
    ...(norm ? { normalisation: norm } : {}),
    ...(backend ? { backend } : {}),
    keep: args.includes('--keep'),
  })
}
