import { z } from 'zod'
import { PlanRequestSchema, PlanSchema, type Plan, type PlanItem, type PlanRequest } from '../../../shared/plan'
import { slicesPerVolume } from '../planning/budget'
import type { Db } from './database'

/** A plan as written (ids and dates are assigned by the store). */
export type NewPlan = Omit<Plan, 'planId' | 'createdAt'> & { datasetId: number }

/** The request in a canonical form (keys sorted), so equal requests compare equal as text. */
export function canonicalRequest(request: PlanRequest): string {
  const entries = Object.entries(request).sort(([a], [b]) => a.localeCompare(b))
  return JSON.stringify(Object.fromEntries(entries))
}

/** Writes a plan and its items in one transaction; returns the stored plan. */
export function insertPlan(db: Db, plan: NewPlan): Plan {
  const id = db.transaction((p: NewPlan): number => {
    const planId = Number(
      db
        .prepare(
          `INSERT INTO plans (dataset_id, density, volume_fraction, method, features, rule, scope, subset_mode, seed,
                              source, request_json, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.datasetId,
          p.density,
          p.volumes,
          p.method,
          p.features,
          p.rule,
          p.scope,
          p.subsetMode,
          p.seed,
          p.source,
          p.request ? canonicalRequest(p.request) : null,
          new Date().toISOString(),
        ).lastInsertRowid,
    )
    const insertItem = db.prepare('INSERT INTO plan_items (plan_id, volume_id, slices_json, mask_path) VALUES (?, ?, ?, ?)')
    for (const item of p.items) insertItem.run(planId, item.volumeId, JSON.stringify(item.slices), item.maskPath ?? null)
    return planId
    // IMMEDIATE like every write transaction of the store (see immediate() in database.ts).
  }).immediate(plan)
  const stored = getPlan(db, id)
  if (!stored) throw new Error(`plan ${id} vanished right after it was written`)
  return stored
}

/** The generated plan with exactly this request on this dataset, if one was stored. */
export function findPlanByRequest(db: Db, datasetId: number, request: PlanRequest): Plan | undefined {
  const row = db
    .prepare('SELECT id FROM plans WHERE dataset_id = ? AND request_json = ? ORDER BY id LIMIT 1')
    .get(datasetId, canonicalRequest(request)) as { id: number } | undefined
  return row ? getPlan(db, row.id) : undefined
}

interface PlanRow {
  id: number
  dataset: string
  density: number
  volume_fraction: number
  method: string
  features: string | null
  rule: string | null
  scope: string
  subset_mode: string
  seed: number
  source: string
  request_json: string | null
  created_at: string
}

interface ItemRow {
  volume_id: number
  case_id: string
  dims_json: string
  slice_axis: number
  slices_json: string
  mask_path: string | null
}

const DimsSchema = z.tuple([z.number().int(), z.number().int(), z.number().int()])
const SlicesSchema = z.array(z.number().int().min(0))

/** One plan with its items (in case-id order), or undefined. */
export function getPlan(db: Db, id: number): Plan | undefined {
  const row = db
    .prepare(
      `SELECT p.id, d.name AS dataset, p.density, p.volume_fraction, p.method, p.features, p.rule, p.scope,
              p.subset_mode, p.seed, p.source, p.request_json, p.created_at
       FROM plans p JOIN datasets d ON d.id = p.dataset_id WHERE p.id = ?`,
    )
    .get(id) as PlanRow | undefined
  if (!row) return undefined
  const itemRows = db
    .prepare(
      `SELECT i.volume_id, v.case_id, v.dims_json, v.slice_axis, i.slices_json, i.mask_path
       FROM plan_items i JOIN volumes v ON v.id = i.volume_id WHERE i.plan_id = ? ORDER BY v.case_id`,
    )
    .all(id) as ItemRow[]
  const items: PlanItem[] = itemRows.map((r) => {
    const dims = DimsSchema.parse(JSON.parse(r.dims_json))
    const sliceAxis = r.slice_axis as 0 | 1 | 2
    return {
      volumeId: r.volume_id,
      volume: r.case_id,
      sliceAxis,
      sliceCount: dims[sliceAxis],
      slices: SlicesSchema.parse(JSON.parse(r.slices_json)),
      ...(r.mask_path ? { maskPath: r.mask_path } : {}),
    }
  })
  return PlanSchema.parse({
    planId: row.id,
    dataset: row.dataset,
    density: row.density,
    volumes: row.volume_fraction,
    method: row.method,
    features: row.features,
    rule: row.rule,
    scope: row.scope,
    subsetMode: row.subset_mode,
    seed: row.seed,
    source: row.source,
    request: row.request_json === null ? null : PlanRequestSchema.parse(JSON.parse(row.request_json)),
    totalSlices: items.reduce((s, i) => s + i.slices.length, 0),
    perVolumeCountsDiffer: items.some((i) => i.slices.length !== slicesPerVolume(i.sliceCount, row.density)),
    createdAt: row.created_at,
    items,
  })
}

/** Plans, newest first, optionally of one dataset. */
export function listPlans(db: Db, datasetId?: number): Plan[] {
  const rows = (
    datasetId === undefined
      ? db.prepare('SELECT id FROM plans ORDER BY id DESC').all()
      : db.prepare('SELECT id FROM plans WHERE dataset_id = ? ORDER BY id DESC').all(datasetId)
  ) as { id: number }[]
  return rows.map((r) => getPlan(db, r.id)).filter((p): p is Plan => p !== undefined)
}
