import { z } from 'zod'
import {
  DatasetLayoutSchema,
  SplitFractionsSchema,
  SubsetSchema,
  type DatasetDetail,
  type DatasetSummary,
  type ImportPreprocessing,
  type SplitFractions,
  type VolumeRecord,
} from '../../../shared/dataset'
import { AxisSchema, Vec3Schema, VoxelDtypeSchema } from '../../../shared/volume'
import type { Db } from './database'

/** A volume as written at import (its id is assigned by the store). */
export type NewVolume = Omit<VolumeRecord, 'id'> & { affine: number[] }

/** Everything an import writes, in one transaction. */
export interface NewDataset {
  name: string
  layout: z.infer<typeof DatasetLayoutSchema>
  sourceDir: string
  description: string
  labels: Record<string, string>
  preprocessing: ImportPreprocessing
  splitSeed: number
  splitFractions: SplitFractions
  volumes: NewVolume[]
}

const DimsSchema = z.tuple([z.number().int(), z.number().int(), z.number().int()])
const LabelsSchema = z.record(z.string(), z.string())
const LabelVoxelsSchema = z.record(z.string(), z.number().int())

/** Parses a JSON column with its schema, so a corrupted row fails loudly instead of leaking `unknown`. */
function parseColumn<T>(schema: z.ZodType<T>, text: string, column: string): T {
  return schema.parse(JSON.parse(text), { error: () => `corrupt ${column} column in the store` })
}

const now = (): string => new Date().toISOString()

/** True when a dataset of this name exists. */
export function datasetExists(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(name) !== undefined
}

/** Writes a dataset, its volumes and its split in one transaction; returns its summary. */
export function insertDataset(db: Db, dataset: NewDataset): DatasetSummary {
  const insert = db.transaction((d: NewDataset): number => {
    const createdAt = now()
    const datasetId = Number(
      db
        .prepare(
          `INSERT INTO datasets (name, layout, source_dir, description, labels_json, preprocessing_json, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(d.name, d.layout, d.sourceDir, d.description, JSON.stringify(d.labels), JSON.stringify(d.preprocessing), createdAt)
        .lastInsertRowid,
    )
    const splitId = Number(
      db
        .prepare('INSERT INTO splits (dataset_id, seed, fractions_json, created_at) VALUES (?, ?, ?, ?)')
        .run(datasetId, d.splitSeed, JSON.stringify(d.splitFractions), createdAt).lastInsertRowid,
    )
    const insertVolume = db.prepare(
      `INSERT INTO volumes (dataset_id, case_id, image_path, label_path, dims_json, spacing_json, affine_json,
                            slice_axis, image_dtype, label_voxels_json, foreground_slices)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertMember = db.prepare('INSERT INTO split_members (split_id, volume_id, subset) VALUES (?, ?, ?)')
    for (const v of d.volumes) {
      const volumeId = insertVolume.run(
        datasetId,
        v.caseId,
        v.imagePath,
        v.labelPath,
        JSON.stringify(v.dims),
        JSON.stringify(v.spacing),
        JSON.stringify(v.affine),
        v.sliceAxis,
        v.imageDtype,
        JSON.stringify(v.labelVoxels),
        v.foregroundSlices,
      ).lastInsertRowid
      insertMember.run(splitId, volumeId, v.subset)
    }
    return datasetId
  })
  // IMMEDIATE like every write transaction of the store (see immediate() in database.ts).
  const id = insert.immediate(dataset)
  const row = db.prepare(`${summarySql} WHERE d.id = ?`).get(id) as DatasetRow | undefined
  if (!row) throw new Error(`dataset ${dataset.name} vanished right after it was written`)
  return toSummary(row)
}

interface DatasetRow {
  id: number
  name: string
  layout: string
  source_dir: string
  description: string
  labels_json: string
  created_at: string
  split_seed: number | null
  volumes: number
  train: number
  val: number
  test: number
}

// The dataset's split is its most recent one; later issues may add re-splits.
const summarySql = `
  SELECT d.id, d.name, d.layout, d.source_dir, d.description, d.labels_json, d.created_at,
         s.seed AS split_seed,
         (SELECT COUNT(*) FROM volumes v WHERE v.dataset_id = d.id) AS volumes,
         (SELECT COUNT(*) FROM split_members m WHERE m.split_id = s.id AND m.subset = 'train') AS train,
         (SELECT COUNT(*) FROM split_members m WHERE m.split_id = s.id AND m.subset = 'val') AS val,
         (SELECT COUNT(*) FROM split_members m WHERE m.split_id = s.id AND m.subset = 'test') AS test
  FROM datasets d
  LEFT JOIN splits s ON s.id = (SELECT MAX(id) FROM splits WHERE dataset_id = d.id)`

function toSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    layout: DatasetLayoutSchema.parse(row.layout),
    sourceDir: row.source_dir,
    createdAt: row.created_at,
    volumes: row.volumes,
    split: { train: row.train, val: row.val, test: row.test },
    splitSeed: row.split_seed ?? 0,
    labels: parseColumn(LabelsSchema, row.labels_json, 'labels_json'),
    description: row.description,
  }
}

/** All datasets, oldest first. */
export function listDatasets(db: Db): DatasetSummary[] {
  return (db.prepare(`${summarySql} ORDER BY d.id`).all() as DatasetRow[]).map(toSummary)
}

interface VolumeRow {
  id: number
  case_id: string
  image_path: string
  label_path: string
  dims_json: string
  spacing_json: string
  slice_axis: number
  image_dtype: string
  label_voxels_json: string
  foreground_slices: number
  subset: string
}

/** One dataset with its volumes (in case-id order), or undefined when no dataset has that name. */
export function getDataset(db: Db, name: string): DatasetDetail | undefined {
  const row = db.prepare(`${summarySql} WHERE d.name = ?`).get(name) as DatasetRow | undefined
  if (!row) return undefined
  const rows = db
    .prepare(
      `SELECT v.id, v.case_id, v.image_path, v.label_path, v.dims_json, v.spacing_json, v.slice_axis, v.image_dtype,
              v.label_voxels_json, v.foreground_slices, m.subset
       FROM volumes v
       JOIN split_members m ON m.volume_id = v.id
       WHERE v.dataset_id = ? AND m.split_id = (SELECT MAX(id) FROM splits WHERE dataset_id = ?)
       ORDER BY v.case_id`,
    )
    .all(row.id, row.id) as VolumeRow[]
  const volumeRecords: VolumeRecord[] = rows.map((v) => ({
    id: v.id,
    caseId: v.case_id,
    imagePath: v.image_path,
    labelPath: v.label_path,
    dims: parseColumn(DimsSchema, v.dims_json, 'dims_json'),
    spacing: parseColumn(Vec3Schema, v.spacing_json, 'spacing_json'),
    sliceAxis: AxisSchema.parse(v.slice_axis),
    imageDtype: VoxelDtypeSchema.parse(v.image_dtype),
    labelVoxels: parseColumn(LabelVoxelsSchema, v.label_voxels_json, 'label_voxels_json'),
    foregroundSlices: v.foreground_slices,
    subset: SubsetSchema.parse(v.subset),
  }))
  return { ...toSummary(row), volumeRecords }
}

/** One dataset with its volumes by id (runs store the id, so a renamed dataset is still found). */
export function getDatasetById(db: Db, id: number): DatasetDetail | undefined {
  const row = db.prepare('SELECT name FROM datasets WHERE id = ?').get(id) as { name: string } | undefined
  return row ? getDataset(db, row.name) : undefined
}

/** The split fractions a dataset's current split was drawn with. */
export function getSplitFractions(db: Db, datasetId: number): SplitFractions | undefined {
  const row = db
    .prepare('SELECT fractions_json FROM splits WHERE dataset_id = ? ORDER BY id DESC LIMIT 1')
    .get(datasetId) as { fractions_json: string } | undefined
  return row ? parseColumn(SplitFractionsSchema, row.fractions_json, 'fractions_json') : undefined
}

/** Deletes a dataset with its volumes and splits; returns whether one was deleted. */
export function deleteDataset(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM datasets WHERE name = ?').run(name).changes > 0
}
