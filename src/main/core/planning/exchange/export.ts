/**
 * Export of a plan for the people who annotate: slice lists (CSV, JSON) and sparse label volumes in
 * nnU-Net v2's "ignore label" convention.
 */
import { planExportFormats } from '../../../../shared/plan'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { DatasetDetail, VolumeRecord } from '../../../../shared/dataset'
import { InputError } from '../../../../shared/errors'
import type { Plan, PlanItem } from '../../../../shared/plan'
import type { Axis } from '../../../../shared/volume'
import { extractSlice, isGzip, readLabelFile, writeNiftiFile, writeSlice } from '../../volume'
import { csvRow } from './csv'
import { datasetLabelValues, ignoreValueOf, labelArrayFor } from './label-set'

export const exportFormats = planExportFormats
export type ExportFormat = (typeof exportFormats)[number]

/** File names inside an export folder (the import reads the same names back). */
export const exportFileNames = {
  csv: 'slices.csv',
  json: 'slices.json',
  datasetJson: 'dataset.json',
  images: 'imagesTr',
  labels: 'labelsTr',
} as const

/** Header of the CSV slice list: one row per annotated slice. */
export const csvHeader = ['case_id', 'image_path', 'slice_axis', 'slice_index', 'slice_count'] as const

/** The block an nnU-Net export records in its dataset.json, so an import can cross-check what comes back. */
export interface WorkbenchBlock {
  planId: number
  dataset: string
  density: number
  volumes: number
  method: Plan['method']
  seed: number
  cases: Record<string, { sliceAxis: Axis; sliceCount: number; slices: number[] }>
}

/** A plan item checked against its dataset volume. */
interface ExportCase {
  item: PlanItem
  record: VolumeRecord
  /** Sorted, distinct, in range. */
  slices: number[]
}

/**
 * Writes a plan as `format` into `outDir` and returns the paths written.
 *
 * - csv: `slices.csv`, one row per annotated slice: case_id, image_path, slice_axis, slice_index, slice_count.
 * - json: `slices.json`, `{ plan: {...the plan without items}, items: [{ volume, imagePath, sliceAxis, sliceCount, slices }] }`.
 * - nnunet: `imagesTr/<case>_0000.nii.gz` (a copy of the image, gzipped if it was not), `labelsTr/<case>.nii.gz`
 *   (the dataset's labels on the plan's slices, the ignore value everywhere else, the label file's header),
 *   and `dataset.json` (channel_names, labels with "ignore", numTraining, file_ending, and a `workbench` block).
 *   Volumes whose plan item has no slice are left out (nnU-Net would learn nothing from them). An item with a
 *   maskPath (an imported plan) takes its slices' values from that mask instead of the dataset's labels.
 *
 * Everything is written to a temporary folder beside outDir and renamed into place at the end, so a failed
 * export leaves nothing behind. An existing, non-empty outDir is refused.
 */
export function exportPlan(plan: Plan, dataset: DatasetDetail, format: ExportFormat, outDir: string): { files: string[] } {
  const target = resolve(outDir)
  checkOutDir(target)
  const cases = checkPlan(plan, dataset)
  let stage: string
  try {
    mkdirSync(dirname(target), { recursive: true })
    stage = mkdtempSync(join(dirname(target), `.${basename(target)}.partial-`))
  } catch (err) {
    throw new InputError(target, `cannot be created (${(err as Error).message}); choose another --out`)
  }
  let written: string[]
  try {
    if (format === 'csv') written = writeCsv(stage, cases)
    else if (format === 'json') written = writeJson(stage, plan, cases)
    else if (format === 'nnunet') written = writeNnunet(stage, plan, dataset, cases)
    else throw new InputError(String(format), `unknown export format; use one of ${exportFormats.join(', ')}`)
    // Re-check: another process may have filled outDir meanwhile; an empty folder is replaced.
    checkOutDir(target)
    if (existsSync(target)) rmdirSync(target)
    renameSync(stage, target)
  } catch (err) {
    rmSync(stage, { recursive: true, force: true })
    throw err
  }
  return { files: written.map((rel) => join(target, rel)) }
}

function checkOutDir(target: string): void {
  if (!existsSync(target)) return
  if (!statSync(target).isDirectory()) throw new InputError(target, 'exists and is not a folder; choose another --out or remove it')
  if (readdirSync(target).length > 0) throw new InputError(target, 'exists and is not empty; choose another --out or remove it')
}

/** Every plan item must be a volume of the dataset, with its slice axis, slice count and in-range slices. */
function checkPlan(plan: Plan, dataset: DatasetDetail): ExportCase[] {
  const source = `plan ${plan.planId}`
  if (plan.dataset !== dataset.name) throw new InputError(source, `belongs to dataset "${plan.dataset}", not "${dataset.name}"`)
  if (plan.items.length === 0) throw new InputError(source, 'has no volumes to export')
  const byCase = new Map(dataset.volumeRecords.map((v) => [v.caseId, v]))
  const seen = new Set<string>()
  return plan.items.map((item) => {
    const record = byCase.get(item.volume)
    if (!record) throw new InputError(source, `volume "${item.volume}" is not in dataset "${dataset.name}"`)
    if (seen.has(item.volume)) throw new InputError(source, `lists volume "${item.volume}" twice`)
    seen.add(item.volume)
    const count = record.dims[record.sliceAxis]
    if (item.sliceAxis !== record.sliceAxis || item.sliceCount !== count) {
      throw new InputError(
        source,
        `volume "${item.volume}": the plan says ${item.sliceCount} slices along axis ${item.sliceAxis}, the dataset has ${count} along axis ${record.sliceAxis}`,
      )
    }
    const bad = item.slices.find((s) => !Number.isInteger(s) || s < 0 || s >= count)
    if (bad !== undefined) throw new InputError(source, `volume "${item.volume}": slice ${bad} is outside 0..${count - 1}`)
    return { item, record, slices: [...new Set(item.slices)].sort((a, b) => a - b) }
  })
}

function writeCsv(stage: string, cases: ExportCase[]): string[] {
  const lines = [csvRow(csvHeader)]
  for (const { record, slices } of cases) {
    const count = record.dims[record.sliceAxis]
    for (const s of slices) lines.push(csvRow([record.caseId, record.imagePath, record.sliceAxis, s, count]))
  }
  writeFileSync(join(stage, exportFileNames.csv), `${lines.join('\n')}\n`)
  return [exportFileNames.csv]
}

function writeJson(stage: string, plan: Plan, cases: ExportCase[]): string[] {
  const { items: _items, ...planFacts } = plan
  const doc = {
    plan: planFacts,
    items: cases.map(({ record, slices }) => ({
      volume: record.caseId,
      imagePath: record.imagePath,
      sliceAxis: record.sliceAxis,
      sliceCount: record.dims[record.sliceAxis],
      slices,
    })),
  }
  writeFileSync(join(stage, exportFileNames.json), `${JSON.stringify(doc, null, 2)}\n`)
  return [exportFileNames.json]
}

function writeNnunet(stage: string, plan: Plan, dataset: DatasetDetail, all: ExportCase[]): string[] {
  const cases = all.filter((c) => c.slices.length > 0)
  if (cases.length === 0) throw new InputError(`plan ${plan.planId}`, 'has no annotated slice in any volume; nothing to export')
  const ignore = ignoreValueOf(dataset)
  mkdirSync(join(stage, exportFileNames.images))
  mkdirSync(join(stage, exportFileNames.labels))
  const written: string[] = []
  for (const c of cases) {
    const image = join(exportFileNames.images, `${c.record.caseId}_0000.nii.gz`)
    copyImage(c.record.imagePath, join(stage, image))
    const label = join(exportFileNames.labels, `${c.record.caseId}.nii.gz`)
    writeSparseLabel(c, ignore, join(stage, label))
    written.push(image, label)
  }
  const cased: WorkbenchBlock['cases'] = {}
  for (const c of cases) cased[c.record.caseId] = { sliceAxis: c.record.sliceAxis, sliceCount: c.record.dims[c.record.sliceAxis], slices: c.slices }
  const workbench: WorkbenchBlock = {
    planId: plan.planId,
    dataset: plan.dataset,
    density: plan.density,
    volumes: plan.volumes,
    method: plan.method,
    seed: plan.seed,
    cases: cased,
  }
  const doc = {
    name: dataset.name,
    description: `Sparse annotations of plan ${plan.planId} (${dataset.name}); unannotated voxels hold the ignore label ${ignore}.`,
    channel_names: { '0': channelName(dataset) },
    labels: { ...nnunetLabels(dataset), ignore },
    numTraining: cases.length,
    file_ending: '.nii.gz',
    workbench,
  }
  writeFileSync(join(stage, exportFileNames.datasetJson), `${JSON.stringify(doc, null, 2)}\n`)
  written.push(exportFileNames.datasetJson)
  return written
}

/** Copies an image byte for byte when it is gzipped already, else writes it gzipped (the name says .nii.gz). */
function copyImage(from: string, to: string): void {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(from)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(from, code === 'ENOENT' ? 'image file not found (was the dataset folder moved?)' : `cannot be read (${(err as Error).message})`)
  }
  if (isGzip(bytes)) copyFileSync(from, to)
  else writeFileSync(to, gzipSync(bytes))
}

/** The ignore value everywhere, the (dense or imported) labels on the plan's slices; the label file's header. */
function writeSparseLabel({ item, record, slices }: ExportCase, ignore: number, to: string): void {
  const path = item.maskPath ?? record.labelPath
  const label = readLabelFile(path)
  const dims = label.header.dims
  if (dims.some((d, i) => d !== record.dims[i])) {
    throw new InputError(path, `has shape ${dims.join('×')} but dataset volume "${record.caseId}" has shape ${record.dims.join('×')}`)
  }
  const axis = record.sliceAxis
  const data = labelArrayFor(label.data.length, ignore).fill(ignore)
  for (const s of slices) {
    const values = extractSlice(dims, label.data, axis, s)
    const high = values.find((v) => v >= ignore)
    if (high !== undefined) {
      throw new InputError(path, `slice ${s} holds label value ${high}, but the dataset's highest label is ${ignore - 1}; re-import the dataset if its labels changed`)
    }
    writeSlice(dims, data, axis, s, values)
  }
  const storedDtype = data instanceof Uint8Array ? 'uint8' : data instanceof Int16Array ? 'int16' : 'int32'
  writeNiftiFile(to, { header: { ...label.header, storedDtype, sclSlope: 1, sclInter: 0 }, data })
}

/**
 * nnU-Net v2 labels, name → value, for every value 0..highest (nnU-Net wants them consecutive):
 * 0 is "background", others take the dataset's name or "label_N"; names are made unique, and "ignore" is kept free.
 */
function nnunetLabels(dataset: DatasetDetail): Record<string, number> {
  const values = datasetLabelValues(dataset)
  const highest = values[values.length - 1] ?? 0
  const out: Record<string, number> = {}
  const taken = new Set(['ignore'])
  for (let v = 0; v <= highest; v++) {
    let name = v === 0 ? 'background' : (dataset.labels[String(v)]?.trim() || `label_${v}`)
    if (taken.has(name)) name = `${name}_${v}`
    taken.add(name)
    out[name] = v
  }
  return out
}

/**
 * The image channel's name for nnU-Net (it picks the intensity normalisation: "CT" gets CT normalisation,
 * anything else z-scoring): the source folder's dataset.json channel_names / modality for channel 0 when
 * there is one, else "image".
 */
function channelName(dataset: DatasetDetail): string {
  try {
    const meta = JSON.parse(readFileSync(join(dataset.sourceDir, 'dataset.json'), 'utf8')) as Record<string, unknown>
    for (const key of ['channel_names', 'modality']) {
      const block = meta[key]
      if (block && typeof block === 'object') {
        const name = (block as Record<string, unknown>)['0']
        if (typeof name === 'string' && name.trim() !== '') return name.trim()
      }
    }
  } catch {
    // No or unreadable dataset.json: the name is only a hint for nnU-Net's normalisation.
  }
  return 'image'
}
