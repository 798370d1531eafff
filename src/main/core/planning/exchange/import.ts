/**
 * Import of sparse annotations back into the workbench: an nnU-Net ignore-label folder, or NIfTI masks plus a
 * slice list. Either way every case becomes a mask holding its annotated slices' labels and 0 elsewhere.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import type { DatasetDetail, VolumeRecord } from '../../../../shared/dataset'
import { InputError } from '../../../../shared/errors'
import type { Axis, Volume, VoxelArray } from '../../../../shared/volume'
import { extractSlice, readLabelFile, writeNiftiFile, writeSlice } from '../../volume'
import { parseCsv } from './csv'
import { exportFileNames } from './export'
import { datasetLabelValues, labelArrayFor } from './label-set'

/** One annotated volume as imported. */
export interface SparseItem {
  volumeId: number
  /** The volume's case id. */
  volume: string
  sliceAxis: Axis
  sliceCount: number
  /** Annotated slices along sliceAxis: sorted, distinct, at least one. */
  slices: number[]
  /** The annotated slices' labels; every other voxel is 0. Header of the imported file. */
  mask: Volume
}

/** What an export recorded about itself (the nnU-Net form's `workbench` block), without its per-case lists. */
export interface ExportOrigin {
  planId: number
  dataset: string
  density: number
  volumes: number
  method: string
  seed: number
}

export interface SparseAnnotations {
  /** One per case, in case-id order. */
  items: SparseItem[]
  /** The nnU-Net ignore value read (null for the slice-list form). */
  ignoreValue: number | null
  source: 'nnunet' | 'slice-list'
  /** The plan the folder was exported from, when its dataset.json records one. */
  exportedFrom: ExportOrigin | null
}

const niftiName = /^(.+?)\.nii(\.gz)?$/i

const CaseSlicesSchema = z.object({
  sliceAxis: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  sliceCount: z.number().int().positive(),
  slices: z.array(z.number().int().min(0)),
})
const WorkbenchBlockSchema = z.object({
  planId: z.number().int(),
  dataset: z.string(),
  density: z.number(),
  volumes: z.number(),
  method: z.string(),
  seed: z.number().int(),
  cases: z.record(z.string(), CaseSlicesSchema),
})
const NnunetJsonSchema = z.object({
  labels: z.record(z.string(), z.unknown()).optional(),
  workbench: z.unknown().optional(),
})

/**
 * Reads sparse annotations from `dir`, checked against `dataset`:
 *
 * (a) nnU-Net ignore-label folder: `labelsTr/<case>.nii(.gz)` + `dataset.json` whose labels declare "ignore".
 *     A slice (along the volume's slice axis) with no ignore voxel is annotated, one made only of ignore voxels
 *     is not, and one partly ignored is an error (annotations are whole slices). When dataset.json carries the
 *     workbench block of an export, the dataset, cases and slices found must be the ones it recorded.
 * (b) masks + slice list: `labels/` (or `labelsTr/`) with `slices.json` (`{ "<case>": [indices] }`, or the
 *     JSON export `{ plan, items: [{ volume, slices }] }`) or `slices.csv` (case_id, slice_index columns,
 *     header optional; the CSV export also reads). Only listed slices count; the rest of each mask is ignored.
 *
 * Form (a) is used when dataset.json declares an ignore label, else (b) when there is a slice list.
 * Every case must be a volume of the dataset with its shape, integral labels that the dataset knows on the
 * annotated slices, slice indices in range and at least one annotated slice; anything else is an InputError.
 */
export function readSparseAnnotations(dir: string, dataset: DatasetDetail): SparseAnnotations {
  const folder = resolve(dir)
  if (!existsSync(folder)) throw new InputError(folder, 'does not exist')
  if (!statSync(folder).isDirectory()) throw new InputError(folder, 'is not a folder')
  const jsonPath = join(folder, exportFileNames.datasetJson)
  const meta = existsSync(jsonPath) ? readNnunetJson(jsonPath) : undefined
  const listJson = join(folder, exportFileNames.json)
  const listCsv = join(folder, exportFileNames.csv)
  const hasList = existsSync(listJson) || existsSync(listCsv)
  if (meta?.ignore !== undefined) return readIgnoreLabelFolder(folder, jsonPath, meta.ignore, meta.workbench, dataset)
  if (hasList) {
    if (existsSync(listJson) && existsSync(listCsv)) throw new InputError(folder, `holds both ${exportFileNames.json} and ${exportFileNames.csv}; keep one slice list`)
    return readSliceListFolder(folder, existsSync(listJson) ? listJson : listCsv, dataset)
  }
  if (meta) {
    throw new InputError(
      jsonPath,
      `declares no "ignore" label (labels.ignore), so unannotated voxels cannot be told apart; add "ignore": <value> to its labels, or put a ${exportFileNames.json} / ${exportFileNames.csv} slice list beside the masks`,
    )
  }
  throw new InputError(
    folder,
    `is not a sparse annotation folder: expected ${exportFileNames.labels}/ with a dataset.json declaring an "ignore" label (nnU-Net), or labels/ with ${exportFileNames.json} or ${exportFileNames.csv}`,
  )
}

/** Writes each item's mask as maskDir/<case>.nii.gz; returns the paths in item order. */
export function writeSparseMasks(items: readonly SparseItem[], maskDir: string): string[] {
  const dir = resolve(maskDir)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (err) {
    throw new InputError(dir, `cannot be created (${(err as Error).message})`)
  }
  return items.map((item) => {
    const path = join(dir, `${item.volume}.nii.gz`)
    writeNiftiFile(path, item.mask)
    return path
  })
}

// ---------------------------------------------------------------------------------------------------------------
// (a) nnU-Net ignore label

function readNnunetJson(path: string): { ignore: number | undefined; workbench: z.infer<typeof WorkbenchBlockSchema> | undefined } {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new InputError(path, `is not valid JSON: ${(err as Error).message}`)
  }
  const parsed = NnunetJsonSchema.safeParse(json)
  if (!parsed.success) throw new InputError(path, `has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  const raw = parsed.data.labels?.ignore
  if (raw !== undefined && !(typeof raw === 'number' && Number.isInteger(raw) && raw >= 1)) {
    throw new InputError(path, `labels.ignore is ${JSON.stringify(raw)}; it must be a whole number ≥ 1 (the highest label value)`)
  }
  let workbench: z.infer<typeof WorkbenchBlockSchema> | undefined
  if (parsed.data.workbench !== undefined) {
    const block = WorkbenchBlockSchema.safeParse(parsed.data.workbench)
    if (!block.success) {
      const issue = block.error.issues[0]
      throw new InputError(path, `its "workbench" block is malformed at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`)
    }
    workbench = block.data
  }
  return { ignore: raw, workbench }
}

function readIgnoreLabelFolder(
  folder: string,
  jsonPath: string,
  ignore: number,
  workbench: z.infer<typeof WorkbenchBlockSchema> | undefined,
  dataset: DatasetDetail,
): SparseAnnotations {
  if (workbench && workbench.dataset !== dataset.name) {
    throw new InputError(jsonPath, `was exported from dataset "${workbench.dataset}", not "${dataset.name}"; import it into "${workbench.dataset}" (or remove the "workbench" block)`)
  }
  const labelDir = join(folder, exportFileNames.labels)
  const files = labelFiles(labelDir)
  const known = datasetLabelValues(dataset)
  if (known.includes(ignore)) {
    throw new InputError(jsonPath, `labels.ignore is ${ignore}, which is a label value of dataset "${dataset.name}" (${known.join(', ')}); the ignore value must be above them`)
  }
  const items: SparseItem[] = []
  for (const [caseId, path] of files) {
    const { record, label } = readCase(caseId, path, dataset)
    const axis = record.sliceAxis
    const count = record.dims[axis]
    const slices: number[] = []
    for (let s = 0; s < count; s++) {
      const values = extractSlice(record.dims, label.data, axis, s)
      let ignored = 0
      for (let p = 0; p < values.length; p++) if (values[p] === ignore) ignored++
      if (ignored === values.length) continue
      if (ignored > 0) {
        throw new InputError(
          path,
          `slice ${s} (along axis ${axis}) is partly annotated: ${ignored} of its ${values.length} voxels hold the ignore value ${ignore}; annotate whole slices, or set the whole slice to ${ignore}`,
        )
      }
      slices.push(s)
    }
    if (slices.length === 0) throw new InputError(path, `has no annotated slice: every voxel holds the ignore value ${ignore}`)
    if (workbench) crossCheck(workbench, caseId, path, slices)
    items.push(toItem(record, path, label, slices, known, dataset.name))
  }
  if (workbench) {
    const missing = Object.keys(workbench.cases).filter((c) => !files.has(c))
    if (missing.length > 0) {
      throw new InputError(labelDir, `has no file for case(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}, which the export of plan ${workbench.planId} holds`)
    }
  }
  const exportedFrom: ExportOrigin | null = workbench
    ? { planId: workbench.planId, dataset: workbench.dataset, density: workbench.density, volumes: workbench.volumes, method: workbench.method, seed: workbench.seed }
    : null
  return { items, ignoreValue: ignore, source: 'nnunet', exportedFrom }
}

/** The slices found must be those the export recorded for the case. */
function crossCheck(workbench: z.infer<typeof WorkbenchBlockSchema>, caseId: string, path: string, slices: number[]): void {
  const recorded = workbench.cases[caseId]
  if (!recorded) throw new InputError(path, `case "${caseId}" is not one the export of plan ${workbench.planId} holds`)
  const want = [...new Set(recorded.slices)].sort((a, b) => a - b)
  if (want.length !== slices.length || want.some((s, i) => s !== slices[i])) {
    throw new InputError(
      path,
      `has annotated slices ${listed(slices)} but the export of plan ${workbench.planId} recorded ${listed(want)} for case "${caseId}"`,
    )
  }
}

const listed = (slices: number[]): string => `[${slices.length > 12 ? `${slices.slice(0, 12).join(', ')}, …` : slices.join(', ')}]`

// ---------------------------------------------------------------------------------------------------------------
// (b) masks + slice list

function readSliceListFolder(folder: string, listPath: string, dataset: DatasetDetail): SparseAnnotations {
  const labelDir = ['labels', exportFileNames.labels].map((d) => join(folder, d)).find((d) => existsSync(d))
  if (!labelDir) throw new InputError(folder, `has a slice list but no labels/ (or ${exportFileNames.labels}/) folder with the masks`)
  const files = labelFiles(labelDir)
  const list = listPath.endsWith('.csv') ? readSliceCsv(listPath) : readSliceJson(listPath)
  const known = datasetLabelValues(dataset)
  for (const caseId of list.keys()) {
    if (!files.has(caseId)) {
      const where = dataset.volumeRecords.some((v) => v.caseId === caseId) ? '' : ` (nor is it a volume of dataset "${dataset.name}")`
      throw new InputError(listPath, `lists case "${caseId}" but ${labelDir} has no ${caseId}.nii.gz${where}`)
    }
  }
  const items: SparseItem[] = []
  for (const [caseId, path] of files) {
    const { record, label } = readCase(caseId, path, dataset)
    const axis = record.sliceAxis
    const count = record.dims[axis]
    const indices = list.get(caseId) ?? []
    if (indices.length === 0) throw new InputError(path, `has no annotated slice: ${listPath} lists none for case "${caseId}"`)
    const outside = indices.find((s) => s < 0 || s >= count)
    if (outside !== undefined) {
      throw new InputError(listPath, `case "${caseId}": slice index ${outside} is outside 0..${count - 1} (${count} slices along axis ${axis})`)
    }
    const slices = [...new Set(indices)].sort((a, b) => a - b)
    items.push(toItem(record, path, label, slices, known, dataset.name))
  }
  return { items, ignoreValue: null, source: 'slice-list', exportedFrom: null }
}

/** Case id → slice indices (whole numbers, unchecked range) from `{ "<case>": [...] }` or the JSON export. */
function readSliceJson(path: string): Map<string, number[]> {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new InputError(path, `is not valid JSON: ${(err as Error).message}`)
  }
  const out = new Map<string, number[]>()
  const add = (caseId: unknown, slices: unknown, where: string): void => {
    if (typeof caseId !== 'string' || caseId === '') throw new InputError(path, `${where}: the case id must be a non-empty string`)
    if (!Array.isArray(slices)) throw new InputError(path, `case "${caseId}": expected an array of slice indices`)
    const bad = slices.find((s) => typeof s !== 'number' || !Number.isInteger(s))
    if (bad !== undefined) throw new InputError(path, `case "${caseId}": slice index ${JSON.stringify(bad)} is not a whole number`)
    if (out.has(caseId)) throw new InputError(path, `lists case "${caseId}" twice`)
    out.set(caseId, slices as number[])
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(path, 'expected an object mapping case ids to slice index arrays, e.g. { "case_001": [3, 9] }')
  }
  const doc = json as Record<string, unknown>
  if (Array.isArray(doc.items) && doc.plan && typeof doc.plan === 'object') {
    // The JSON export: { plan, items: [{ volume, slices, ... }] }.
    doc.items.forEach((item: unknown, n: number) => {
      const it = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>
      add(it.volume, it.slices, `items[${n}]`)
    })
  } else {
    for (const [caseId, slices] of Object.entries(doc)) add(caseId, slices, 'key')
  }
  return out
}

/** Case id → slice indices from CSV rows (case_id, slice_index; header optional, other columns ignored). */
function readSliceCsv(path: string): Map<string, number[]> {
  const parsed = parseCsv(readFileSync(path, 'utf8'))
  if ('unclosedQuoteAt' in parsed) throw new InputError(path, `line ${parsed.unclosedQuoteAt}: a quoted field is never closed`)
  const rows = parsed.rows
  const first = rows[0]?.fields.map((f) => f.trim().toLowerCase()) ?? []
  let caseCol = 0
  let sliceCol = 1
  let body = rows
  if (first.includes('case_id')) {
    caseCol = first.indexOf('case_id')
    sliceCol = first.indexOf('slice_index')
    if (sliceCol < 0) throw new InputError(path, 'its header has case_id but no slice_index column')
    body = rows.slice(1)
  }
  const out = new Map<string, number[]>()
  for (const { line, fields } of body) {
    const caseId = fields[caseCol]?.trim() ?? ''
    const index = fields[sliceCol]?.trim()
    if (caseId === '' || index === undefined) throw new InputError(path, `line ${line}: expected case_id,slice_index`)
    if (!/^-?\d+$/.test(index)) throw new InputError(path, `line ${line}: slice index "${index}" of case "${caseId}" is not a whole number`)
    const list = out.get(caseId) ?? []
    list.push(Number(index))
    out.set(caseId, list)
  }
  if (out.size === 0) throw new InputError(path, 'lists no slices')
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Shared

/** Case id → path of the NIfTI files in a label folder, in case-id order (hidden files skipped). */
function labelFiles(dir: string): Map<string, string> {
  let entries: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(dir, 'is not a folder')
    entries = readdirSync(dir)
  } catch (err) {
    if (err instanceof InputError) throw err
    throw new InputError(dir, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`)
  }
  const files = new Map<string, string>()
  for (const entry of entries.sort()) {
    if (entry.startsWith('.')) continue
    const caseId = niftiName.exec(entry)?.[1]
    if (!caseId) continue
    const path = join(dir, entry)
    if (files.has(caseId)) throw new InputError(path, `two files in ${dir} name the same case "${caseId}"`)
    files.set(caseId, path)
  }
  if (files.size === 0) throw new InputError(dir, 'holds no .nii or .nii.gz files')
  return files
}

/** The dataset volume a file belongs to, and the file's labels (integral, same shape). */
function readCase(caseId: string, path: string, dataset: DatasetDetail): { record: VolumeRecord; label: Volume } {
  const record = dataset.volumeRecords.find((v) => v.caseId === caseId)
  if (!record) throw new InputError(path, `case "${caseId}" is not a volume of dataset "${dataset.name}"`)
  const label = readLabelFile(path)
  const dims = label.header.dims
  if (dims.some((d, i) => d !== record.dims[i])) {
    throw new InputError(path, `has shape ${dims.join('×')} but volume "${caseId}" of dataset "${dataset.name}" has shape ${record.dims.join('×')}`)
  }
  return { record, label }
}

/** The mask: annotated slices copied (their values checked against the dataset's labels), 0 elsewhere. */
function toItem(record: VolumeRecord, path: string, label: Volume, slices: number[], known: number[], datasetName: string): SparseItem {
  const axis = record.sliceAxis
  const dims = record.dims
  const knownSet = new Set(known)
  const data = labelArrayFor(label.data.length, known[known.length - 1] ?? 0)
  for (const s of slices) {
    const values: VoxelArray = extractSlice(dims, label.data, axis, s)
    for (let p = 0; p < values.length; p++) {
      const v = values[p] as number
      if (!knownSet.has(v)) {
        throw new InputError(path, `slice ${s} holds label value ${v}, which is not a label of dataset "${datasetName}" (${known.join(', ')})`)
      }
    }
    writeSlice(dims, data, axis, s, values)
  }
  const storedDtype = data instanceof Uint8Array ? 'uint8' : data instanceof Int16Array ? 'int16' : 'int32'
  return {
    volumeId: record.id,
    volume: record.caseId,
    sliceAxis: axis,
    sliceCount: dims[axis],
    slices,
    mask: { header: { ...label.header, storedDtype, sclSlope: 1, sclInter: 0 }, data },
  }
}
