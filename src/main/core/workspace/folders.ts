/**
 * The workspace's top-level folders, named once: what writes files there (import, plans, interpolation,
 * training) and what cleans up after it (orphans, removal) must agree on them, or a clean-up would miss or
 * misjudge a folder. Paths built here are relative to the workspace unless a workspace is passed.
 */
import { join } from 'node:path'

export const workspaceFolders = {
  /** datasets/<name>/<attempt>/: an import's published volumes and labels. */
  datasets: 'datasets',
  /** staging/<attempt>/: an import still being written (owner file inside). */
  staging: 'staging',
  /** plans/<id>/: masks imported into a plan. */
  plans: 'plans',
  /** interpolations/<run id>/: an interpolation run's dense masks. */
  interpolations: 'interpolations',
  /** runs/<run id>/: a training run's checkpoints. */
  runs: 'runs',
} as const

/** A training run's folder (relative), or an interpolation run's for kind 'interpolation'. */
export function runFolder(run: { id: number; kind: string }): string {
  return join(run.kind === 'interpolation' ? workspaceFolders.interpolations : workspaceFolders.runs, String(run.id))
}

/** A plan's folder of imported masks (relative). */
export function planFolder(planId: number): string {
  return join(workspaceFolders.plans, String(planId))
}
