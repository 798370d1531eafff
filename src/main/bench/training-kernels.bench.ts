// Benchmark: one training step (forward, backward, SGD update) of a small 2D U-Net on wasm with the project's
// convolution kernels, on wasm with the stock kernels (where it runs at all), on cpu (a smaller config:
// the pure-JS backend takes minutes per full step) and in PyTorch CPU as the named reference (Debian's
// python3-torch, if installed); and a 3D conv block as native wasm Conv3D against the slab version.
// All figures in one run, because these machines are noisy; medians of a few steps after one warm-up.
import { median, timeMedian } from './timing'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import * as tf from '@tensorflow/tfjs'
import { configureWasm } from '../core/training/backends/wasm/setup'
import { registerProjectWasmKernels, restoreStockWasmKernels } from '../core/training/backends/wasm/register-kernels'
import { createRng, type Rng } from '../core/random/rng'

const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`

/** Step geometry of the 2D net. */
interface Net2dConfig {
  readonly batch: number
  readonly size: number
  readonly base: number
  readonly levels: number
}

/** A seeded He-normal-ish tensor (uniform with the same variance: enough for timing). */
function init(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1)
  const data = new Float32Array(size)
  const bound = Math.sqrt(6 / fanIn)
  for (let i = 0; i < size; i++) data[i] = (2 * rng.next() - 1) * bound
  return tf.variable(tf.tensor(data, shape))
}

/** The U-Net's parameters: two 3×3 convs per level, a 2×2 stride-2 transposed conv per up level, 1×1 head. */
function buildUnet2d(cfg: Net2dConfig, rng: Rng): { vars: tf.Variable[]; forward: (x: tf.Tensor4D) => tf.Tensor4D } {
  const vars: tf.Variable[] = []
  const conv = (ci: number, co: number, k = 3) => {
    const w = init(rng, [k, k, ci, co], k * k * ci)
    const b = tf.variable(tf.zeros([co]))
    vars.push(w, b)
    return (x: tf.Tensor4D) => tf.relu(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D
  }
  const widths = Array.from({ length: cfg.levels + 1 }, (_, i) => cfg.base << i)
  const down = widths.map((w, i) => [conv(i === 0 ? 1 : widths[i - 1]!, w), conv(w, w)] as const)
  const up = widths.slice(0, -1).map((w, i) => {
    const t = init(rng, [2, 2, w, widths[i + 1]!], 4 * widths[i + 1]!)
    vars.push(t)
    return { t, convs: [conv(2 * w, w), conv(w, w)] as const }
  })
  const headW = init(rng, [1, 1, cfg.base, 2], cfg.base)
  vars.push(headW)
  const forward = (x: tf.Tensor4D): tf.Tensor4D => {
    const skips: tf.Tensor4D[] = []
    let h = x
    down.forEach(([a, b], i) => {
      h = b(a(h))
      if (i < cfg.levels) {
        skips.push(h)
        h = tf.maxPool(h, 2, 2, 'valid')
      }
    })
    for (let i = cfg.levels - 1; i >= 0; i--) {
      const skip = skips[i]!
      const u = up[i]!
      h = tf.conv2dTranspose(h, u.t as tf.Tensor4D, skip.shape, 2, 'same')
      h = u.convs[1](u.convs[0](tf.concat([skip, h], 3)))
    }
    return tf.conv2d(h, headW as tf.Tensor4D, 1, 'valid')
  }
  return { vars, forward }
}

/** Median seconds per training step of the 2D net on the active backend; NaN and the error if it fails. */
async function time2dStep(cfg: Net2dConfig, steps: number): Promise<{ ms: number; error?: string }> {
  const rng = createRng(1)
  const net = buildUnet2d(cfg, rng)
  const x = tf.randomUniform([cfg.batch, cfg.size, cfg.size, 1], 0, 1, 'float32', 7) as tf.Tensor4D
  const labels = tf.oneHot(tf.cast(tf.greater(x.reshape([cfg.batch, cfg.size, cfg.size]), 0.5), 'int32'), 2)
  const opt = tf.train.sgd(1e-3)
  const step = () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x)), true, net.vars)
    loss?.dataSync()
    loss?.dispose()
  }
  const times: number[] = []
  try {
    step()
    for (let i = 0; i < steps; i++) {
      const t = performance.now()
      step()
      times.push(performance.now() - t)
    }
    return { ms: median(times) }
  } catch (e) {
    return { ms: NaN, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] }
  } finally {
    tf.dispose([x, labels, ...net.vars])
    opt.dispose()
  }
}

/** The same step in PyTorch (Debian's python3-torch), or null when it is not installed. */
function torch2dStep(cfg: Net2dConfig, steps: number): { ms: number; threads: number } | null {
  const python = '/usr/bin/python3'
  if (!existsSync(python)) return null
  const script = `
import time, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(1); torch.set_num_threads(${cpus().length})
B, S, C, L = ${cfg.batch}, ${cfg.size}, ${cfg.base}, ${cfg.levels}
def block(i, o): return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
class UNet(nn.Module):
    def __init__(s):
        super().__init__(); w = [C << i for i in range(L + 1)]
        s.down = nn.ModuleList([block(1 if i == 0 else w[i - 1], w[i]) for i in range(L + 1)])
        s.up = nn.ModuleList([nn.ConvTranspose2d(w[i + 1], w[i], 2, 2, bias=False) for i in range(L)])
        s.dec = nn.ModuleList([block(2 * w[i], w[i]) for i in range(L)])
        s.head = nn.Conv2d(C, 2, 1, bias=False)
    def forward(s, x):
        skips = []
        for i, d in enumerate(s.down):
            x = d(x)
            if i < L: skips.append(x); x = F.max_pool2d(x, 2)
        for i in reversed(range(L)): x = s.dec[i](torch.cat([skips[i], s.up[i](x)], 1))
        return s.head(x)
net = UNet(); opt = torch.optim.SGD(net.parameters(), lr=1e-3)
x = torch.rand(B, 1, S, S); y = (x[:, 0] > 0.5).long()
def step():
    opt.zero_grad(); loss = F.cross_entropy(net(x), y); loss.backward(); opt.step()
step(); ts = []
for _ in range(${steps}):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
print(sorted(ts)[len(ts) // 2] * 1000, torch.get_num_threads())
`
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 300_000 })
  if (r.status !== 0) return null
  const [ms, threads] = r.stdout.trim().split(/\s+/).map(Number)
  return ms === undefined || threads === undefined ? null : { ms, threads }
}

/** Runs the benchmark and prints its figures. */
export default async function benchTrainingKernels(): Promise<void> {
  configureWasm()
  await tf.setBackend('wasm')
  const full: Net2dConfig = { batch: 8, size: 128, base: 16, levels: 3 }
  const small: Net2dConfig = { batch: 1, size: 64, base: 16, levels: 3 }
  const label = (c: Net2dConfig) => `${c.levels}-level U-Net, ${c.base} base ch, ${c.size}², batch ${c.batch}`
  console.log(`training-kernels: one SGD step of a ${label(full)}`)

  registerProjectWasmKernels()
  const ours = await time2dStep(full, 5)
  console.log(`  wasm, project kernels : ${s(ours.ms)}${ours.error ? ` (failed: ${ours.error})` : ''}`)
  restoreStockWasmKernels()
  const stock = await time2dStep(full, 2)
  registerProjectWasmKernels()
  console.log(`  wasm, stock kernels   : ${stock.error ? `does not run (${stock.error})` : `${s(stock.ms)}  (${(stock.ms / ours.ms).toFixed(1)}× ours)`}`)
  const torch = torch2dStep(full, 10)
  if (torch) console.log(`  PyTorch CPU (${torch.threads} threads): ${s(torch.ms)}  → ours / PyTorch = ${(ours.ms / torch.ms).toFixed(1)}×`)
  else console.log('  PyTorch CPU           : not measured (/usr/bin/python3 with torch not found)')

  console.log(`  smaller config for cpu (${label(small)}):`)
  const oursSmall = await time2dStep(small, 5)
  await tf.setBackend('cpu')
  const cpu = await time2dStep(small, 1)
  await tf.setBackend('wasm')
  console.log(`    wasm, project kernels : ${s(oursSmall.ms)}`)
  console.log(`    cpu                   : ${s(cpu.ms)}  (${(cpu.ms / oursSmall.ms).toFixed(1)}× ours)`)

  // 3D: a 3×3×3 conv of [2, 32, 32, 32, 16] to 16 channels (0.9 GFLOP forward).
  const x = tf.randomUniform([2, 32, 32, 32, 16], -1, 1, 'float32', 3) as tf.Tensor5D
  const f = tf.randomUniform([3, 3, 3, 16, 16], -0.1, 0.1, 'float32', 4) as tf.Tensor5D
  const fwd = () => tf.tidy(() => void tf.conv3d(x, f, 1, 'same').dataSync())
  const fwdBwd = () =>
    tf.tidy(() => {
      const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same'))([x, f])
      gx?.dataSync()
      gf?.dataSync()
    })
  const slabFwd = timeMedian(fwd, 5)
  const slabStep = timeMedian(fwdBwd, 3)
  restoreStockWasmKernels()
  const nativeFwd = timeMedian(fwd, 2)
  const nativeStep = timeMedian(fwdBwd, 1)
  registerProjectWasmKernels()
  tf.dispose([x, f])
  console.log('  3D conv 3×3×3, [2,32,32,32,16] → 16 channels, wasm:')
  console.log(`    forward          : native Conv3D ${s(nativeFwd)}, slabs ${s(slabFwd)}  (${(nativeFwd / slabFwd).toFixed(1)}×)`)
  console.log(`    forward+backward : native ${s(nativeStep)} (its gradients are wrong), slabs ${s(slabStep)}  (${(nativeStep / slabStep).toFixed(1)}×)`)
}

if (process.argv[1]?.endsWith('training-kernels.bench.ts')) await benchTrainingKernels()
