/**
 * Learned slice features: a small convolutional autoencoder trained on the slices' 32×32 descriptors (see
 * sliceDescriptors), whose 32-d bottleneck code is the feature row of a slice.
 *
 *   encoder: 3×3 conv stride 2 (1→8) ReLU · 3×3 conv stride 2 (8→16) ReLU · 3×3 conv stride 2 (16→16) ReLU
 *            (32×32 → 16 → 8 → 4) · flatten 4·4·16 = 256 · dense → code (linear, 32)
 *   decoder: dense code → 256 ReLU · reshape 4×4×16 · 2×2 stride-2 transposed conv 16→16 ReLU (8×8) ·
 *            3×3 conv 16→16 ReLU · transposed 16→8 ReLU (16×16) · transposed 8→1 linear (32×32)
 *
 * The decoder up-samples by 2×2 stride-2 transposed convolutions (upConv2x: a matrix product) rather than
 * nearest up-sampling plus 3×3 convolutions: measured on wasm, a step of the nearest-plus-conv decoder cost
 * about twice as much, mostly the 3×3 conv at 32×32 to one channel and the 6-D broadcast that up-samples.
 * Checkerboard artefacts of transposed convolutions do not matter here: only the code is used.
 *
 * Trained by MSE reconstruction with Adam (lr 3e-3, 200 steps of 32: see AutoencoderOptions), batches drawn
 * with replacement from the injected Rng; the weights are PyTorch-default initialised from the same Rng
 * (before any batch is drawn), so the same seed on the same backend gives the same codes.
 */
import * as tf from '@tensorflow/tfjs'
import type { OptimizerConfig } from '../../../../shared/training'
import type { Volume } from '../../../../shared/volume'
import type { Rng } from '../../random/rng'
import { selectBackend } from '../../training/backend'
import { convFanIn, transposedConvFanIn } from '../../training/models/init'
import { NetParams } from '../../training/models/params'
import { upConv2x } from '../../training/ops/up-conv'
import { createOptimizer } from '../../training/optim/optimizers'
import { checkFeatureMatrix, stackRows, type FeatureMatrix } from './feature-matrix'
import { sliceDescriptors } from './pca'

/** The descriptor side the architecture is built for: three stride-2 convolutions take 32 to 4. */
export const AUTOENCODER_INPUT_SIZE = 32

/** Options of fitAutoencoder / autoencoderFeatures. */
export interface AutoencoderOptions {
  /** Length of the code, i.e. of each feature row (default 32). */
  codeSize?: number
  /**
   * Adam steps (default 200). On the 730 slices of the 20 sample hippocampus volumes (batch 32) the
   * reconstruction MSE goes from ~0.9 (the descriptors' mean square) to ~0.25 by step 200 at lr 3e-3, where
   * lr 1e-3 needs ~375 steps for the same; after that it creeps down slowly (0.20 at 400). One step costs
   * ~10–20 ms on wasm (one core), so the default fit is a few seconds at most.
   */
  steps?: number
  /** Slices per step, drawn with replacement (default 32). */
  batchSize?: number
  /** Adam learning rate (default 3e-3: reaches the loss of 1e-3 in about half the steps, see steps). */
  learningRate?: number
}

/** A fitted autoencoder's output. */
export interface AutoencoderFit {
  /** One code row per input descriptor row: rows × codeSize. */
  codes: FeatureMatrix
  /** The batch MSE at every step, in order (the fitting curve). */
  losses: Float32Array
}

const ADAM: OptimizerConfig = { kind: 'adam', lr: 3e-3, weightDecay: 0, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
/** Slices encoded per forward pass when computing the codes (bounds the activations held at once). */
const ENCODE_CHUNK = 512

/** The network as closures over its named weights (built in a fixed order, so init draws are seeded). */
interface Net {
  params: NetParams
  encode(x: tf.Tensor4D): tf.Tensor2D
  decode(code: tf.Tensor2D): tf.Tensor4D
}

/** 3×3 conv ('same') with bias and optional ReLU, weights `${name}.w` [3, 3, in, out] and `${name}.b`. */
function conv3x3(params: NetParams, name: string, cin: number, cout: number, stride: 1 | 2, relu: boolean): (x: tf.Tensor4D) => tf.Tensor4D {
  const shape = [3, 3, cin, cout]
  const fanIn = convFanIn(shape)
  const w = params.uniform(`${name}.w`, shape, fanIn) as tf.Variable<tf.Rank.R4>
  const b = params.uniform(`${name}.b`, [cout], fanIn) as tf.Variable<tf.Rank.R1>
  return (x) => tf.fused.conv2d({ x, filter: w, strides: stride, pad: 'same', bias: b, activation: relu ? 'relu' : 'linear' })
}

/** Dense layer with bias, weights `${name}.w` [in, out] and `${name}.b`. */
function dense(params: NetParams, name: string, cin: number, cout: number, relu: boolean): (x: tf.Tensor2D) => tf.Tensor2D {
  const w = params.uniform(`${name}.w`, [cin, cout], cin) as tf.Variable<tf.Rank.R2>
  const b = params.uniform(`${name}.b`, [cout], cin)
  return (x) => {
    const y = tf.add(tf.matMul(x, w), b) as tf.Tensor2D
    return relu ? tf.relu(y) : y
  }
}

/**
 * 2×2 stride-2 transposed convolution with bias and optional ReLU (upConv2x: one matrix product plus an
 * interleave, fast on wasm), weights `${name}.w` [2, 2, out, in] and `${name}.b`: doubles the grid.
 */
function up2x(params: NetParams, name: string, cin: number, cout: number, relu: boolean): (x: tf.Tensor4D) => tf.Tensor4D {
  const shape = [2, 2, cout, cin]
  const fanIn = transposedConvFanIn(shape)
  const w = params.uniform(`${name}.w`, shape, fanIn)
  const b = params.uniform(`${name}.b`, [cout], fanIn) as tf.Variable<tf.Rank.R1>
  return (x) => {
    const y = upConv2x(x, w, b)
    return relu ? tf.relu(y) : y
  }
}

function buildNet(rng: Rng, codeSize: number): Net {
  const params = new NetParams(rng)
  const enc1 = conv3x3(params, 'enc1', 1, 8, 2, true)
  const enc2 = conv3x3(params, 'enc2', 8, 16, 2, true)
  const enc3 = conv3x3(params, 'enc3', 16, 16, 2, true)
  const toCode = dense(params, 'code', 4 * 4 * 16, codeSize, false)
  const fromCode = dense(params, 'decode', codeSize, 4 * 4 * 16, true)
  const up1 = up2x(params, 'up1', 16, 16, true)
  const dec1 = conv3x3(params, 'dec1', 16, 16, 1, true)
  const up2 = up2x(params, 'up2', 16, 8, true)
  const up3 = up2x(params, 'up3', 8, 1, false)
  return {
    params,
    encode: (x) => toCode(tf.reshape(enc3(enc2(enc1(x))), [x.shape[0], 4 * 4 * 16])),
    decode: (code) => up3(up2(dec1(up1(tf.reshape(fromCode(code), [code.shape[0], 4, 4, 16]))))),
  }
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`autoencoder ${name} must be a positive integer, got ${value}`)
  return value
}

/**
 * Fits the autoencoder to descriptor rows (each a row-major 32×32 image) and returns every row's code and the
 * loss curve. Uses the active TF.js backend (select one first); frees every tensor and variable it made.
 */
export async function fitAutoencoder(descriptors: FeatureMatrix, options: AutoencoderOptions, rng: Rng): Promise<AutoencoderFit> {
  checkFeatureMatrix(descriptors)
  const side = AUTOENCODER_INPUT_SIZE
  if (descriptors.cols !== side * side) throw new RangeError(`autoencoder input rows must be ${side}×${side} = ${side * side} values, got ${descriptors.cols}`)
  if (descriptors.rows < 1) throw new RangeError('autoencoder needs at least one slice to fit')
  const codeSize = positiveInteger('code size', options.codeSize ?? 32)
  const steps = positiveInteger('steps', options.steps ?? 200)
  const batchSize = positiveInteger('batch size', options.batchSize ?? 32)
  const lr = options.learningRate ?? ADAM.lr
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`autoencoder learning rate must be positive, got ${lr}`)

  const n = descriptors.rows
  const pixels = side * side
  const net = buildNet(rng, codeSize)
  const optimizer = createOptimizer(ADAM, net.params.weights)
  const losses = new Float32Array(steps)
  const batch = new Float32Array(batchSize * pixels)
  try {
    const all = tf.tensor4d(descriptors.data, [n, side, side, 1])
    try {
      for (let step = 0; step < steps; step++) {
        for (let b = 0; b < batchSize; b++) {
          const r = rng.int(n)
          batch.set(descriptors.data.subarray(r * pixels, (r + 1) * pixels), b * pixels)
        }
        losses[step] = await optimizer.minimise(() => {
          const x = tf.tensor4d(batch, [batchSize, side, side, 1])
          return tf.mean(tf.squaredDifference(net.decode(net.encode(x)), x)) as tf.Scalar
        }, lr)
        if (!Number.isFinite(losses[step] as number)) throw new Error(`autoencoder loss became ${losses[step]} at step ${step + 1}`)
      }
      const codes = new Float32Array(n * codeSize)
      for (let start = 0; start < n; start += ENCODE_CHUNK) {
        const count = Math.min(ENCODE_CHUNK, n - start)
        const code = tf.tidy(() => net.encode(tf.slice(all, [start, 0, 0, 0], [count, side, side, 1])))
        codes.set(await code.data(), start * codeSize)
        code.dispose()
      }
      return { codes: { rows: n, cols: codeSize, data: codes }, losses }
    } finally {
      all.dispose()
    }
  } finally {
    optimizer.dispose()
    net.params.dispose()
  }
}

/**
 * One code matrix per volume (rows = the volume's slices along its slice axis, cols = codeSize). One model is
 * fitted on all the volumes' slices together, whether the caller wants a joint or a per-volume feature space:
 * a learned encoder needs more data than one volume's ~40 slices, and a shared space is also a valid space for
 * each volume on its own. Uses the active TF.js backend.
 */
export async function autoencoderFeatures(volumes: readonly Volume[], options: AutoencoderOptions, rng: Rng): Promise<FeatureMatrix[]> {
  if (volumes.length === 0) return []
  const descriptors = volumes.map((v) => sliceDescriptors(v, AUTOENCODER_INPUT_SIZE))
  const { matrix, offsets } = stackRows(descriptors)
  const { codes } = await fitAutoencoder(matrix, options, rng)
  return descriptors.map((d, i) => {
    const from = (offsets[i] as number) * codes.cols
    return { rows: d.rows, cols: codes.cols, data: codes.data.slice(from, from + d.rows * codes.cols) }
  })
}

/**
 * The extractor's entry point: makes sure a fast backend is active, then autoencoderFeatures with the
 * defaults. A backend someone already chose ('wasm' set by a test, 'tensorflow' or 'webgpu' by the training engine) is
 * kept, so extracting features never switches the backend under a running training; otherwise the ladder
 * picks one (selectBackend).
 */
export async function extractAutoencoderFeatures(volumes: readonly Volume[], rng: Rng, options: AutoencoderOptions = {}): Promise<FeatureMatrix[]> {
  const active = tf.engine().backendName as string | undefined
  if (active !== 'wasm' && active !== 'tensorflow' && active !== 'webgpu') await selectBackend()
  return autoencoderFeatures(volumes, options, rng)
}
