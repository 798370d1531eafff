import { mkdirSync, rmSync } from 'node:fs'
import { totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { ImportOptionsSchema, type DatasetSummary, type ImportOptions, type ImportPreprocessing } from '../../../shared/dataset'
import { InputError, parseInput } from '../../../shared/errors'
import { formatShape, importShapeProblem, resampledShape } from '../../../shared/limits'
import { CancelledError } from '../execution'
import type { Volume, VolumeHeader } from '../../../shared/volume'
import { immediate, type Db } from '../store/database'
import { datasetExists, insertDataset, type NewVolume } from '../store/datasets-repo'
import { beginStaging, removeIfEmpty } from '../workspace/staging'
import {
  cropOrPadToShape,
  findNonFinite,
  foregroundSliceCount,
  heldDtype,
  labelVoxelCounts,
  readImageFile,
  readLabelFile,
  resampleToSpacing,
  writeNiftiFile,
} from '../volume'
import { discoverDataset, type DiscoveredPair } from './discover'
import { describeReading } from './file-facts'
import { seededSplit } from './split'
import { workspaceFolders } from '../workspace/folders'

export interface ImportContext {
  db: Db
  /** Root of the files the workbench writes; preprocessed volumes go under datasets/<name>/<attempt>/. */
  workspace: string
  /** Called after each pair is read and checked. */
  onProgress?: (done: number, total: number, caseId: string) => void
  /**
   * Polled before each pair and before the store is written; true stops the import with a CancelledError,
   * leaving the store and the workspace as they were. The import is synchronous, so the flag must be one
   * another thread can set (a worker's shared cancel flag) or one the progress callback sets.
   */
  shouldCancel?: () => boolean
  /** The machine's memory in bytes, which bounds the preprocessed shape (default os.totalmem(); tests set it). */
  memoryBytes?: number
}

const spacingTolerance = 1e-3

/**
 * Parses import options, turning schema problems into an InputError about the option, and refuses a target
 * shape this machine cannot hold before anything is read or allocated.
 */
function parseOptions(options: ImportOptions, memoryBytes: number): ReturnType<typeof ImportOptionsSchema.parse> {
  const opts = parseInput(ImportOptionsSchema, options, (field) => (field === 'name' ? String(options.name) : `import option ${field || 'options'}`))
  const shape = opts.preprocessing.targetShape
  const problem = shape && importShapeProblem(shape, memoryBytes)
  if (problem) throw new InputError('import option preprocessing.targetShape', `${formatShape(shape)} ${problem}`)
  return opts
}

/** Refuses a resampling whose output this machine cannot hold, before it is allocated (its size depends on the pair). */
function checkResampledSize(caseId: string, header: Volume['header'], target: readonly number[], memoryBytes: number): void {
  const shape = resampledShape(header.dims, header.spacing, target)
  const problem = importShapeProblem(shape, memoryBytes)
  if (problem) {
    throw new InputError(
      'import option preprocessing.targetSpacing',
      `${formatShape(target)} mm makes ${caseId} (${formatShape(header.dims)} voxels of ${formatShape(header.spacing)} mm) ${formatShape(shape)} voxels, which ${problem}`,
    )
  }
}

/**
 * Reads a pair (the frame / channel chosen of a 4D+ image, the same of its label unless the label is 3D and serves
 * every frame), checks it is usable (same shape and spacing, integral labels, finite image).
 */
function readPair(pair: DiscoveredPair, p: ImportPreprocessing): { image: Volume; label: Volume } {
  const choice = { frame: p.frame, channel: p.channel }
  const image = readImageFile(pair.imagePath, choice)
  const label = readLabelFile(pair.labelPath, { ...choice, oneServesAll: true })
  const [a, b] = [image.header.dims, label.header.dims]
  if (a.some((d, i) => d !== b[i])) {
    throw new InputError(pair.labelPath, `has shape ${b.join('×')} but its image ${pair.imagePath} has shape ${a.join('×')}`)
  }
  const [s, t] = [image.header.spacing, label.header.spacing]
  if (s.some((d, i) => Math.abs(d - (t[i] as number)) > spacingTolerance * Math.max(1, d))) {
    throw new InputError(pair.labelPath, `has spacing ${t.join('×')} mm but its image ${pair.imagePath} has ${s.join('×')} mm`)
  }
  const bad = findNonFinite(image.data)
  if (bad >= 0) throw new InputError(pair.imagePath, `holds a non-finite value (${image.data[bad]}) at voxel index ${bad}`)
  return { image, label }
}

/** Applies the optional resampling and cropping to both volumes of a pair. */
function preprocessPair(pair: { image: Volume; label: Volume }, p: ImportPreprocessing, caseId: string, memoryBytes: number): { image: Volume; label: Volume } {
  let { image, label } = pair
  if (p.targetSpacing) {
    checkResampledSize(caseId, image.header, p.targetSpacing, memoryBytes)
    image = resampleToSpacing(image, p.targetSpacing, 'linear')
    label = resampleToSpacing(label, p.targetSpacing, 'nearest')
  }
  if (p.targetShape) {
    image = cropOrPadToShape(image, p.targetShape)
    label = cropOrPadToShape(label, p.targetShape)
  }
  return { image, label }
}

/** The refusal of a name that is taken (checked first, and again inside the transaction that stores the dataset). */
function nameTaken(name: string): InputError {
  return new InputError(name, 'a dataset with this name already exists; choose another --name')
}

/**
 * Imports a dataset folder: finds and checks every pair, optionally resamples / crops them into the
 * workspace, draws the seeded split, and writes everything in one transaction. On any error, and on a
 * cancel (`shouldCancel`), the store is left as it was and files written so far are removed.
 *
 * Preprocessed files are written under this attempt's own staging folder (staging/<attempt>/), and renamed to
 * datasets/<name>/<attempt>/ inside the IMMEDIATE transaction that stores the rows: rows never point at files
 * that do not exist, and a second import of the same name (another process) writes, publishes and removes only
 * its own attempt's files. A crash before the commit leaves only an unreferenced attempt folder, which the
 * orphan sweep at the next open removes.
 */
export function importDataset(ctx: ImportContext, options: ImportOptions): DatasetSummary {
  const memoryBytes = ctx.memoryBytes ?? totalmem()
  const opts = parseOptions(options, memoryBytes)
  if (datasetExists(ctx.db, opts.name)) throw nameTaken(opts.name)
  const discovered = discoverDataset(opts.folder)
  // A frame other than the first is written out as 3D files: later readers of the rows' paths read the first.
  const { targetSpacing, targetShape, frame, channel } = opts.preprocessing
  const preprocess = targetSpacing !== undefined || targetShape !== undefined || (frame ?? 0) > 0 || (channel ?? 0) > 0
  const subsets = seededSplit(
    discovered.pairs.map((p) => p.caseId),
    opts.split,
    opts.seed,
  )
  const stopIfCancelled = (): void => {
    if (ctx.shouldCancel?.()) throw new CancelledError(`the import of ${opts.name} was cancelled; nothing was stored`)
  }
  const attempt = preprocess ? beginStaging(ctx.workspace, 'import') : undefined
  const finalDir = attempt ? join(ctx.workspace, workspaceFolders.datasets, opts.name, attempt.id) : undefined
  let published = false
  try {
    const headersRead: VolumeHeader[] = []
    const volumes: NewVolume[] = discovered.pairs.map((pair, index) => {
      stopIfCancelled()
      let { image, label } = readPair(pair, opts.preprocessing)
      headersRead.push(image.header, label.header)
      let imagePath = pair.imagePath
      let labelPath = pair.labelPath
      if (attempt && finalDir) {
        ;({ image, label } = preprocessPair({ image, label }, opts.preprocessing, pair.caseId, memoryBytes))
        for (const sub of ['images', 'labels']) mkdirSync(join(attempt.dataDir, sub), { recursive: true })
        writeNiftiFile(join(attempt.dataDir, 'images', `${pair.caseId}.nii.gz`), image)
        writeNiftiFile(join(attempt.dataDir, 'labels', `${pair.caseId}.nii.gz`), label)
        // The rows name where the files will be once published.
        imagePath = join(finalDir, 'images', `${pair.caseId}.nii.gz`)
        labelPath = join(finalDir, 'labels', `${pair.caseId}.nii.gz`)
      }
      const h = image.header
      ctx.onProgress?.(index + 1, discovered.pairs.length, pair.caseId)
      return {
        caseId: pair.caseId,
        imagePath,
        labelPath,
        dims: h.dims,
        spacing: h.spacing,
        affine: h.affine,
        sliceAxis: h.sliceAxis,
        imageDtype: heldDtype(image),
        labelVoxels: labelVoxelCounts(label.data),
        foregroundSlices: foregroundSliceCount(label.header.dims, label.data, h.sliceAxis),
        subset: subsets.get(pair.caseId) ?? 'train',
      }
    })
    stopIfCancelled()
    return immediate(ctx.db, () => {
      // Under the write lock: another process may have stored this name while the pairs were read.
      if (datasetExists(ctx.db, opts.name)) throw nameTaken(opts.name)
      const summary = insertDataset(ctx.db, {
        name: opts.name,
        layout: discovered.layout,
        sourceDir: discovered.folder,
        description: discovered.description,
        labels: discovered.labels,
        preprocessing: opts.preprocessing,
        splitSeed: opts.seed,
        splitFractions: opts.split,
        volumes,
      })
      if (attempt && finalDir) {
        attempt.publish(finalDir)
        published = true
      }
      const readNotes = describeReading(headersRead)
      return readNotes.length > 0 ? { ...summary, readNotes } : summary
    })
  } catch (err) {
    // Only this attempt's folder: its id is unique, so a winner's files are never touched.
    if (published && finalDir) {
      rmSync(finalDir, { recursive: true, force: true })
      removeIfEmpty(dirname(finalDir))
    }
    throw err
  } finally {
    attempt?.discard()
  }
}
