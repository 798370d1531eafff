import { z } from 'zod'
import { OverlapSchema, SliceQualitySchema, type VolumeInterpolation } from '../../../shared/interpolation'
import type { Db } from './database'

/** Writes the per-volume results of an interpolation run (call inside the transaction that ends the run). */
export function insertInterpolationVolumes(db: Db, runId: number, volumes: readonly VolumeInterpolation[]): void {
  const insert = db.prepare(
    `INSERT INTO interpolation_volumes (run_id, volume_id, mask_path, annotated_json, iou, dice, per_label_json, slices_json, ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (const v of volumes) {
    insert.run(runId, v.volumeId, v.maskPath, JSON.stringify(v.annotated), v.iou, v.dice, JSON.stringify(v.perLabel), JSON.stringify(v.slices), v.ms)
  }
}

interface Row {
  volume_id: number
  case_id: string
  mask_path: string
  annotated_json: string
  iou: number
  dice: number
  per_label_json: string
  slices_json: string
  ms: number
}

/** The per-volume results of an interpolation run, in case-id order. */
export function getInterpolationVolumes(db: Db, runId: number): VolumeInterpolation[] {
  const rows = db
    .prepare(
      `SELECT i.volume_id, v.case_id, i.mask_path, i.annotated_json, i.iou, i.dice, i.per_label_json, i.slices_json, i.ms
       FROM interpolation_volumes i JOIN volumes v ON v.id = i.volume_id WHERE i.run_id = ? ORDER BY v.case_id`,
    )
    .all(runId) as Row[]
  return rows.map((r) => ({
    volumeId: r.volume_id,
    volume: r.case_id,
    maskPath: r.mask_path,
    annotated: z.array(z.number().int()).parse(JSON.parse(r.annotated_json)),
    iou: r.iou,
    dice: r.dice,
    perLabel: z.record(z.string(), OverlapSchema).parse(JSON.parse(r.per_label_json)),
    slices: z.array(SliceQualitySchema).parse(JSON.parse(r.slices_json)),
    ms: r.ms,
  }))
}
