/**
 * Size bounds: what an import or a training run would need in memory, against what this machine can give it.
 * One definition of the arithmetic and of the refusal's words, used by the core wherever a request enters (an
 * import's options, a train config, a sweep's shared config), so the CLI, the browser-mode API and Electron IPC
 * refuse the same things with the same message, before anything is allocated. Pure: the machine's memory is
 * passed in (the core reads os.totalmem; tests set it).
 */

/**
 * The share of the machine's memory one import or one training run may plan to use. Half: the estimates below
 * are rough, and the operating system, the UI and the other workers (a sweep trains several trials at once) need
 * the rest.
 */
export const memoryShare = 0.5

/** What one operation may use on a machine with `totalBytes` of memory. */
export function memoryBudget(totalBytes: number): number {
  return Math.floor(totalBytes * memoryShare)
}

const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const

/** Bytes in decimal units, three significant digits at most ("16 PB", "11.8 GB", "512 B"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than any machine holds'
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const digits = value >= 100 || unit === 0 ? 0 : value >= 10 ? 1 : 2
  return `${Number(value.toFixed(digits))} ${units[unit]}`
}

/** A shape as people write it: 100000×100000×100000. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×')
}

/** The product of a shape's extents. */
export function voxelCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/**
 * The refusal when `neededBytes` exceeds what the machine gives one operation, else null:
 * "would need 16 PB (…how…); this machine can give one … at most 11.8 GB (half of its 23.5 GB)".
 */
export function exceedsMemory(neededBytes: number, totalBytes: number, what: { how: string; operation: string }): string | null {
  const budget = memoryBudget(totalBytes)
  if (neededBytes <= budget) return null
  return `would need ${formatBytes(neededBytes)} (${what.how}); this machine can give ${what.operation} at most ${formatBytes(budget)} (half of its ${formatBytes(totalBytes)})`
}

// ---------------------------------------------------------------------------------------------------------------
// Import

/** Allowed target voxel size in mm, each axis: below 0.01 mm or above 100 mm is no medical image. */
export const spacingRangeMm = { min: 0.01, max: 100 } as const

/** NIfTI-1 (which the import writes) stores each extent as a 16-bit integer. */
export const niftiMaxExtent = 32767

/**
 * An import holds, per pair, the image and the label as read and as preprocessed, and the file bytes it writes;
 * at most 4 bytes a voxel (float32, the widest type it keeps) in each of 4 copies of the preprocessed size.
 */
export const importBytesPerVoxel = 4
export const importCopies = 4

/** Bytes one pair's preprocessing needs at this output shape. */
export function importBytes(shape: readonly number[]): number {
  return voxelCount(shape) * importBytesPerVoxel * importCopies
}

/** The shape a volume of `dims` voxels of `spacing` mm takes when resampled to `target` mm (at least 1 a side). */
export function resampledShape(dims: readonly number[], spacing: readonly number[], target: readonly number[]): number[] {
  return dims.map((d, a) => Math.max(1, Math.round((d * (spacing[a] ?? 1)) / (target[a] ?? 1))))
}

/** Why an import cannot write volumes of this shape on this machine (to follow the shape), or null when it can. */
export function importShapeProblem(shape: readonly number[], totalBytes: number): string | null {
  const memory = exceedsMemory(importBytes(shape), totalBytes, {
    how: `${importBytesPerVoxel} bytes × ${importCopies} copies a voxel`,
    operation: 'one import',
  })
  if (memory) return memory
  if (shape.some((d) => d > niftiMaxExtent)) return `exceeds NIfTI-1's ${niftiMaxExtent} voxels per axis (the import writes NIfTI-1)`
  return null
}

// ---------------------------------------------------------------------------------------------------------------
// Training

/** What the training memory estimate depends on. */
export interface TrainingGeometry {
  /** A 2D slice [h, w] or a 3D patch [i, j, k]. */
  readonly input: readonly number[]
  readonly depth: number
  readonly baseChannels: number
  readonly batchSize: number
}

/**
 * Activations one sample keeps for the backward pass, in floats. At level i (c_i = base·2^i channels, the input's
 * voxels / 2^(dims·i)) the encoder keeps two conv → norm → ReLU (6 tensors), the decoder an up-convolution, two
 * partial convolutions and their sum, a norm and a ReLU, then another conv → norm → ReLU (9): 16 with the max-pool,
 * rounded up. The bottleneck keeps 2 × 3 (rounded to 8). Attention gates (attention-unet2d) add a little; not counted.
 */
export function activationFloatsPerSample(g: Omit<TrainingGeometry, 'batchSize'>): number {
  const voxels = voxelCount(g.input)
  const shrink = 2 ** g.input.length
  let floats = 0
  for (let level = 0; level < g.depth; level++) floats += 16 * g.baseChannels * 2 ** level * (voxels / shrink ** level)
  return floats + 8 * g.baseChannels * 2 ** g.depth * (voxels / shrink ** g.depth)
}

/**
 * Copies of the activations a training step holds at its peak: the activations, their gradients and the backward
 * pass's temporaries. Measured on wasm (peak RSS of 3-step runs at 128×128, depth 3, base 16, batch 2/16/32:
 * 608, 1937, 3519 MB, so 95–99 MB a sample); this model says 91 MB.
 */
export const trainingCopies = 3

/** Bytes a training step needs: float32 activations × trainingCopies, per sample. */
export function trainingBytes(g: TrainingGeometry): number {
  return g.batchSize * activationFloatsPerSample(g) * 4 * trainingCopies
}

/** Where a training refusal points: the option to change and why. */
export interface TrainingSizeProblem {
  readonly field: 'sliceSize' | 'patchSize' | 'batchSize'
  readonly problem: string
}

/**
 * Why a training run of this geometry cannot fit in this machine's memory, or null when it can. One sample too
 * large blames the slice or patch size; otherwise the batch size, with the largest batch that fits.
 */
export function trainingSizeProblem(g: TrainingGeometry, totalBytes: number, inputField: 'sliceSize' | 'patchSize'): TrainingSizeProblem | null {
  const how = `float32 activations, gradients and temporaries of a depth-${g.depth}, base-${g.baseChannels} U-Net`
  const needed = trainingBytes(g)
  const batchProblem = exceedsMemory(needed, totalBytes, { how: `${g.batchSize} samples × ${how}`, operation: 'one training run' })
  if (!batchProblem) return null
  const one = trainingBytes({ ...g, batchSize: 1 })
  const sampleProblem = exceedsMemory(one, totalBytes, { how: `one sample's ${how}`, operation: 'one training run' })
  if (sampleProblem) return { field: inputField, problem: `${formatShape(g.input)} ${sampleProblem}` }
  const fits = Math.floor(memoryBudget(totalBytes) / one)
  return { field: 'batchSize', problem: `${g.batchSize} at ${formatShape(g.input)} ${batchProblem}: at most ${fits} samples a batch fit` }
}
