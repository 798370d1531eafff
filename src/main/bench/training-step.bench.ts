// Benchmark (issue 5): one training step — forward, cross-entropy, backward, Adam — of the benchmark U-Nets in
// our engine (wasm, 1 thread and one per core) and in PyTorch CPU (Debian's python3-torch, pytorch/unet_step.py)
// with the same architecture: 3 down-levels, 16 base channels, per level two [3×3(×3) conv 'same', no bias →
// batch norm → ReLU], 2×2 max-pool down, 2×2 stride-2 transposed conv up (with bias), concat with the skip,
// 1×1 conv head with bias, 2 classes. 2D: 128×128, batch 8; 3D: 32³, batch 2.
// Every measurement runs in its own child process (so peak RSS compares), back to back, ours and PyTorch
// interleaved: the machine is shared, so read the ratios, not the absolute times.
// `npm run bench -- training-step`; `tsx src/main/bench/training-step.bench.ts --profile 2|3 [threads] [plain]`
// prints the step's kernels by time instead (nested kernels count in their caller too).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import * as tf from '@tensorflow/tfjs'
import { configureWasm } from '../core/training/backend'
import { batchNormTraining } from '../core/training/ops/batch-norm'
import { addChannelBias } from '../core/training/ops/channel-bias'
import { convOfConcat } from '../core/training/ops/conv-concat'
import { upConv2x } from '../core/training/ops/up-conv'
import { wasmThreadsInUse } from '../core/training/wasm-threads'
import { createRng } from '../core/random/rng'
import { median } from './timing'

/** Geometry of one benchmark net. */
interface NetSpec {
  readonly dims: 2 | 3
  readonly batch: number
  readonly size: number
  readonly base: number
  readonly depth: number
  readonly classes: number
}

const specs: Record<2 | 3, NetSpec> = {
  2: { dims: 2, batch: 8, size: 128, base: 16, depth: 3, classes: 2 },
  3: { dims: 3, batch: 2, size: 32, base: 16, depth: 3, classes: 2 },
}

/** What one measuring process reports. */
interface StepReport {
  readonly median_s: number
  readonly times_s: number[]
  readonly peak_rss_mb: number
  readonly threads: number
}

/** A seeded uniform tensor with He variance (timing only needs a sane scale). */
function heVariable(rng: () => number, shape: number[], fanIn: number): tf.Variable {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
  const bound = Math.sqrt(6 / fanIn)
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * bound
  return tf.variable(tf.tensor(data, shape))
}

/**
 * The benchmark U-Net as plain functions of variables (a local copy of the architecture the models'
 * unet2d/unet3d implement; see the file comment). Returns the variables and the training-mode forward pass.
 * `fast`: the project's ops (ops/batch-norm, ops/conv-concat, ops/up-conv); otherwise TF.js's own
 * (tf.moments + tf.batchNorm, tf.concat + conv, conv2dTranspose — 2D only: conv3dTranspose has no gradient).
 */
function buildUnet(spec: NetSpec, fast: boolean): { vars: tf.Variable[]; forward: (x: tf.Tensor) => tf.Tensor } {
  const rng = createRng(1)
  const next = () => rng.next()
  const vars: tf.Variable[] = []
  const k = spec.dims === 2 ? [3, 3] : [3, 3, 3]
  const taps = spec.dims === 2 ? 9 : 27
  const spatialAxes = spec.dims === 2 ? [0, 1, 2] : [0, 1, 2, 3]
  const convBnRelu = (ci: number, co: number) => {
    const w = heVariable(next, [...k, ci, co], taps * ci)
    const gamma = tf.variable(tf.ones([co]))
    const beta = tf.variable(tf.zeros([co]))
    vars.push(w, gamma, beta)
    return (x: tf.Tensor | tf.Tensor[]): tf.Tensor => {
      const parts = Array.isArray(x) ? x : [x]
      let y: tf.Tensor
      if (fast) y = convOfConcat(parts as tf.Tensor4D[], w)
      else {
        const input = parts.length === 1 ? parts[0]! : tf.concat(parts, -1)
        y = spec.dims === 2 ? tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') : tf.conv3d(input as tf.Tensor5D, w as tf.Tensor5D, 1, 'same')
      }
      if (fast) return tf.relu(batchNormTraining(y, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5))
      const { mean, variance } = tf.moments(y, spatialAxes)
      return tf.relu(tf.batchNorm(y, mean, variance, beta, gamma, 1e-5))
    }
  }
  const widths = Array.from({ length: spec.depth + 1 }, (_, i) => spec.base << i)
  const down = widths.map((w, i) => [convBnRelu(i === 0 ? 1 : widths[i - 1]!, w), convBnRelu(w, w)] as const)
  const up = widths.slice(0, -1).map((w, i) => {
    // conv2dTranspose / conv3dTranspose filter layout: [k..., out, in].
    const filter = heVariable(next, [...(spec.dims === 2 ? [2, 2] : [2, 2, 2]), w, widths[i + 1]!], widths[i + 1]!)
    const bias = tf.variable(tf.zeros([w]))
    vars.push(filter, bias)
    return { filter, bias, convs: [convBnRelu(2 * w, w), convBnRelu(w, w)] as const }
  })
  const headW = heVariable(next, [...(spec.dims === 2 ? [1, 1] : [1, 1, 1]), spec.base, spec.classes], spec.base)
  const headB = tf.variable(tf.zeros([spec.classes]))
  vars.push(headW, headB)
  const pool = (x: tf.Tensor) => (spec.dims === 2 ? tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') : tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid'))
  const forward = (x: tf.Tensor): tf.Tensor => {
    const skips: tf.Tensor[] = []
    let h = x
    down.forEach(([a, b], i) => {
      h = b(a(h))
      if (i < spec.depth) {
        skips.push(h)
        h = pool(h)
      }
    })
    for (let i = spec.depth - 1; i >= 0; i--) {
      const u = up[i]!
      h = fast || spec.dims === 3 ? upConv2x(h as tf.Tensor4D, u.filter, u.bias as tf.Tensor1D) : tf.add(tf.conv2dTranspose(h as tf.Tensor4D, u.filter as tf.Tensor4D, skips[i]!.shape as [number, number, number, number], 2, 'same'), u.bias)
      h = u.convs[1](u.convs[0]([h, skips[i]!]))
    }
    const logits = spec.dims === 2 ? tf.conv2d(h as tf.Tensor4D, headW as tf.Tensor4D, 1, 'valid') : tf.conv3d(h as tf.Tensor5D, headW as tf.Tensor5D, 1, 'valid')
    return fast ? addChannelBias(logits, headB as tf.Tensor1D) : tf.add(logits, headB)
  }
  return { vars, forward }
}

/** Input, one-hot target and a step function (Adam, lr 1e-3) for `spec` on the active backend. */
function trainingStep(spec: NetSpec, fast = true): { step: () => number; dispose: () => void } {
  const net = buildUnet(spec, fast)
  const spatial = spec.dims === 2 ? [spec.size, spec.size] : [spec.size, spec.size, spec.size]
  const x = tf.randomNormal([spec.batch, ...spatial, 1], 0, 1, 'float32', 7)
  const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.randomUniform([spec.batch, ...spatial], 0, 1, 'float32', 8), 0.5), 'int32'), spec.classes))
  const adam = tf.train.adam(1e-3)
  const step = (): number => {
    const loss = adam.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x)), true, net.vars)
    const value = loss?.dataSync()[0] ?? Number.NaN
    loss?.dispose()
    return value
  }
  return { step, dispose: () => (tf.dispose([x, labels, ...net.vars]), adam.dispose()) }
}

/** Child process: times `steps` steps after `warmup` on wasm with `threads` and prints a StepReport line. */
async function measureOurs(dims: 2 | 3, threads: number, warmup: number, steps: number): Promise<void> {
  configureWasm({ threads })
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm failed to initialise')
  const { step, dispose } = trainingStep(specs[dims])
  const times: number[] = []
  for (let i = 0; i < warmup + steps; i++) {
    const t = performance.now()
    step()
    if (i >= warmup) times.push((performance.now() - t) / 1000)
  }
  dispose()
  const report: StepReport = { median_s: median(times), times_s: times, peak_rss_mb: process.resourceUsage().maxRSS / 1024, threads: wasmThreadsInUse() }
  console.log(JSON.stringify(report))
}

/** Child process: one profiled step after a warm-up; prints kernels by total time. */
async function profileOurs(dims: 2 | 3, threads: number, fast: boolean): Promise<void> {
  configureWasm({ threads })
  await tf.setBackend('wasm')
  const { step, dispose } = trainingStep(specs[dims], fast)
  step()
  const t = performance.now()
  const info = await tf.profile(() => void step())
  const wall = performance.now() - t
  const byKernel = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 }
    byKernel.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 })
  }
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms)
  const total = rows.reduce((a, [, e]) => a + e.ms, 0)
  console.log(`profile ${dims}D, ${fast ? 'project ops' : 'plain TF.js ops'}, ${wasmThreadsInUse()} thread(s): kernels ${total.toFixed(0)} ms of a ${wall.toFixed(0)} ms profiled step`)
  for (const [name, e] of rows.slice(0, 25)) console.log(`  ${name.padEnd(26)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(4)} calls`)
  const slowest = [...info.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, 12)
  console.log('  slowest single calls:')
  for (const k of slowest) console.log(`    ${k.name} ${Number(k.kernelTimeMs).toFixed(1)} ms ${JSON.stringify(k.inputShapes)}`)
  dispose()
}

const python = '/usr/bin/python3'
const torchScript = fileURLToPath(new URL('./pytorch/unet_step.py', import.meta.url))
const thisFile = fileURLToPath(import.meta.url)

/** Runs a measuring child and parses its last JSON line; null (with the reason printed) when it fails. */
function runChild(command: string, args: string[], label: string): StepReport | null {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 600_000 })
  const line = r.stdout?.trim().split('\n').pop() ?? ''
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log(`  ${label}: failed (${r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')})`)
    return null
  }
  return JSON.parse(line) as StepReport
}

const fmt = (r: StepReport | null) => (r ? `${r.median_s.toFixed(3)} s/step (peak RSS ${r.peak_rss_mb.toFixed(0)} MB)` : 'n/a')

/** Runs the benchmark and prints its figures. */
export default async function benchTrainingStep(): Promise<void> {
  const cores = availableParallelism()
  const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
  const steps = { 2: { warmup: 2, steps: 5 }, 3: { warmup: 2, steps: 5 } }
  console.log(`training-step: one Adam training step, our wasm engine vs PyTorch CPU (${cores} cores)${hasTorch ? '' : ' — PyTorch not found at /usr/bin/python3'}`)
  for (const dims of [2, 3] as const) {
    const s = specs[dims]
    const { warmup, steps: n } = steps[dims]
    console.log(`  ${dims}D U-Net, ${s.depth} levels, ${s.base} base ch, ${s.size}${dims === 2 ? '²' : '³'}, batch ${s.batch}; median of ${n} steps after ${warmup}:`)
    for (const threads of [...new Set([1, cores])]) {
      const torch = hasTorch
        ? runChild(python, [torchScript, '--dims', String(dims), '--threads', String(threads), '--warmup', String(warmup), '--steps', String(n)], `PyTorch ${threads} thread(s)`)
        : null
      const ours = runChild(process.execPath, ['--import', 'tsx', thisFile, '--measure', String(dims), String(threads), String(warmup), String(n)], `ours ${threads} thread(s)`)
      const ratio = ours && torch ? `  → ours/PyTorch = ${(ours.median_s / torch.median_s).toFixed(2)}×` : ''
      console.log(`    ${threads} thread(s): ours (wasm, ${ours?.threads ?? '?'} thr) ${fmt(ours)}; PyTorch ${fmt(torch)}${ratio}`)
    }
  }
}

const args = process.argv.slice(2)
if (process.argv[1] === thisFile && args[0] === '--measure') {
  const [, dims, threads, warmup, steps] = args.map(Number)
  await measureOurs(dims === 3 ? 3 : 2, threads ?? 1, warmup ?? 2, steps ?? 5)
} else if (process.argv[1] === thisFile && args[0] === '--profile') {
  await profileOurs(Number(args[1]) === 3 ? 3 : 2, Number(args[2] ?? 1), args[3] !== 'plain')
} else if (process.argv[1] === thisFile) {
  await benchTrainingStep()
}
