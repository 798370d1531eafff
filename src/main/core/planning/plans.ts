import type { DatasetDetail } from '../../../shared/dataset'
import { InputError, parseInput } from '../../../shared/errors'
import { PlanRequestSchema, type BudgetAdvice, type Plan, type PlanRequest, type PlanRequestInput } from '../../../shared/plan'
import type { Db } from '../store/database'
import { getDataset } from '../store/datasets-repo'
import { findPlanByRequest, getPlan, insertPlan } from '../store/plans-repo'
import { readImageFile } from '../volume'
import { assertUnitFraction, planBudget } from './budget'
import { resolvePlan, sliceCountOf, trainingVolumes, type LoadImage } from './resolve-plan'
import { subsetOrder } from './subsets'

/** Parses a plan request, turning schema problems into an InputError that names the option. */
export function parsePlanRequest(input: PlanRequestInput): PlanRequest {
  // ρ and s get the wording the CLI's options use.
  if (typeof input.density === 'number') assertUnitFraction(input.density, '--density')
  if (typeof input.volumeFraction === 'number') assertUnitFraction(input.volumeFraction, '--volumes')
  return parseInput(PlanRequestSchema, input, (path) => `plan option ${path || '?'}`)
}

/** The dataset of a name, or an InputError. */
export function requireDataset(db: Db, name: string): DatasetDetail {
  const dataset = getDataset(db, name)
  if (!dataset) throw new InputError(name, 'no dataset has this name')
  return dataset
}

/** The plan of an id, or an InputError. */
export function requirePlan(db: Db, id: number): Plan {
  const plan = getPlan(db, id)
  if (!plan) throw new InputError(`plan ${id}`, 'no plan has this id')
  return plan
}

/**
 * Resolves and stores a plan. A request already resolved on this dataset returns the stored plan
 * (the same inputs and seed give the identical plan, so a second copy would only clutter the history).
 */
export async function createPlan(db: Db, input: PlanRequestInput, loadImage: LoadImage = (v) => readImageFile(v.imagePath)): Promise<{ plan: Plan; reused: boolean }> {
  const request = parsePlanRequest(input)
  const dataset = requireDataset(db, request.dataset)
  const existing = findPlanByRequest(db, dataset.id, request)
  if (existing) return { plan: existing, reused: true }
  const items = await resolvePlan(request, dataset, loadImage)
  const representative = request.method === 'representative'
  const plan = insertPlan(db, {
    datasetId: dataset.id,
    dataset: dataset.name,
    density: request.density,
    volumes: request.volumeFraction,
    method: request.method,
    features: representative ? request.features : null,
    rule: representative ? request.rule : null,
    scope: request.scope,
    subsetMode: request.subsetMode,
    seed: request.seed,
    source: 'generated',
    request,
    totalSlices: items.reduce((s, i) => s + i.slices.length, 0),
    perVolumeCountsDiffer: false,
    items,
  })
  return { plan, reused: false }
}

/**
 * Every (ρ, s) that spends a slice budget on a dataset's training volumes, taking volumes in the order
 * nested subsets add them (for the seed), so each option is what `createPlan` would then pick.
 */
export function adviseBudget(
  db: Db,
  request: { dataset: string; slices: number; tolerance?: number; minDensity3d?: number; seed?: number },
): BudgetAdvice {
  const train = trainingVolumes(requireDataset(db, request.dataset))
  const byId = new Map(train.map((v) => [v.caseId, sliceCountOf(v)]))
  const counts = subsetOrder([...byId.keys()], request.seed ?? 0).map((id) => byId.get(id) as number)
  return planBudget(counts, request.slices, { tolerance: request.tolerance, minDensity3d: request.minDensity3d })
}
