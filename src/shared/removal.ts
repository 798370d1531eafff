import { z } from 'zod'
import { formatBytes } from './limits'

/** A folder of the workspace that a removal deletes: its path relative to the workspace, and what it holds. */
export const RemovedFolderSchema = z.object({ path: z.string(), files: z.number().int(), bytes: z.number().int() })

/**
 * What removing a dataset, a plan, a run or a sweep deletes (or, with done false, would delete): the rows, the
 * workspace folders they own, and the training runs it keeps (their dataset or sweep gone).
 */
export const RemovalReportSchema = z.object({
  /** "dataset sample", "plan 3", "run 12", "sweep 2". */
  target: z.string(),
  /** false for a preview (nothing removed yet). */
  done: z.boolean(),
  volumes: z.number().int(),
  plans: z.array(z.number().int()),
  sweeps: z.array(z.number().int()),
  trials: z.number().int(),
  runs: z.array(z.object({ id: z.number().int(), kind: z.string() })),
  /** Training runs that stay in the history, their dataset no longer there (the history shows "(removed)"). */
  keptRuns: z.array(z.number().int()),
  folders: z.array(RemovedFolderSchema),
  bytes: z.number().int(),
})
export type RemovalReport = z.infer<typeof RemovalReportSchema>

const ids = (label: string, list: readonly number[]): string => `${list.length} ${label}${list.length === 1 ? '' : 's'} (${list.join(', ')})`

/** The report in plain lines: what goes (or went), then what stays. */
export function removalLines(report: RemovalReport): string[] {
  const goes = report.done ? 'removed' : 'will remove'
  const parts: string[] = []
  if (report.volumes > 0) parts.push(`${report.volumes} volume record${report.volumes === 1 ? '' : 's'}`)
  if (report.plans.length > 0) parts.push(ids('plan', report.plans))
  if (report.sweeps.length > 0) parts.push(`${ids('sweep', report.sweeps)} with ${report.trials} trial${report.trials === 1 ? '' : 's'}`)
  for (const kind of [...new Set(report.runs.map((r) => r.kind))]) {
    parts.push(ids(`${kind} run`, report.runs.filter((r) => r.kind === kind).map((r) => r.id)))
  }
  const lines = [`${report.target}: ${goes} ${parts.length > 0 ? parts.join(', ') : 'its record'}`]
  const files = report.folders.reduce((n, f) => n + f.files, 0)
  lines.push(
    report.folders.length === 0
      ? '  workspace files: none'
      : `  workspace files: ${files} file${files === 1 ? '' : 's'}, ${formatBytes(report.bytes)} in ${report.folders.map((f) => f.path).join(', ')}`,
  )
  if (report.keptRuns.length > 0) lines.push(`  kept: ${ids('training run', report.keptRuns)} with their checkpoints; the history shows their dataset as removed`)
  return lines
}
