import { z } from 'zod'

/** A run's life: queued → running → done | failed | cancelled. */
export const runStatuses = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export const RunStatusSchema = z.enum(runStatuses)
export type RunStatus = z.infer<typeof RunStatusSchema>

/** One entry of the experiment history (training runs, interpolation runs, sweep trials…). */
export const RunRecordSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  status: RunStatusSchema,
  datasetId: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  config: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  pid: z.number().int().nullable(),
  host: z.string().nullable(),
})
export type RunRecord = z.infer<typeof RunRecordSchema>
