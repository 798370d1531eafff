/**
 * Creating a sweep: validates the definition against the dataset (every grid cell possible, the shared
 * train config valid for every model), resolves one plan per (ρ, s, method, seed), and stores the sweep with
 * its queued trials in one transaction. On any error nothing of the sweep is left: plans made for it (not
 * ones it reused) are removed again.
 */
import { InputError, isInputError, parseInput } from '../../../shared/errors'
import { resolveModelConfig } from '../../../shared/models'
import { SweepDefinitionInputSchema, type SweepDefinition, type SweepDefinitionInput, type TrialSpec } from '../../../shared/sweep'
import { TrainConfigSchema } from '../../../shared/training'
import { createPlan, requireDataset } from '../planning/plans'
import { sliceCountOf, trainingVolumes } from '../planning/resolve-plan'
import { subsetOrder } from '../planning/subsets'
import { immediate, type Db } from '../store/database'
import { insertSweep, type NewTrial } from '../store/sweeps-repo'
import { resolveTrainJob } from '../training/resolve-job'
import { assertCellsPossible, expandTrials, trialKey } from './expand'
import { trialConfig } from './trial-config'

/** Fields of the train config a trial sets itself. */
const trialOwned = ['datasetId', 'planId', 'interpolated', 'model', 'seed'] as const

/**
 * Parses a sweep definition, naming the field that is wrong and the file it came from (when it came from one).
 * Unknown keys are refused by name at every level, those of the shared train config included.
 */
export function parseSweepDefinition(input: unknown, file?: string): SweepDefinition {
  const at = (path: string): string => `sweep ${path}${file === undefined ? '' : ` (file ${file})`}`
  const definition = parseInput(SweepDefinitionInputSchema, input, (path) => at(path || 'definition'))
  for (const key of trialOwned) {
    if (key in definition.train) throw new InputError(at(`train.${key}`), 'is set by each trial from the grid; leave it out')
  }
  if (definition.train.evaluateOn === 'none') throw new InputError(at('train.evaluateOn'), 'a sweep compares test scores; it cannot be none')
  // Each model's options against its kind (an option the kind does not take, SegResNet's levels, UNETR's heads),
  // named by the grid's path rather than the train command's flag that resolveModelConfig names.
  definition.grid.models.forEach((m, i) => {
    try {
      resolveModelConfig(m.model)
    } catch (e) {
      if (isInputError(e)) throw new InputError(at(`grid.models.${i}.model`), `${m.name}: ${e.problem}`)
      throw e
    }
  })
  // Parsed as each trial's config will be (the fields a trial sets left at their defaults), so a misspelt or
  // out-of-range option is refused here, naming the sweep's train field, not at every trial's start.
  parseInput(TrainConfigSchema, { ...definition.train, datasetId: 1 }, (path) => at(path ? `train.${path}` : 'train'))
  return definition
}

export interface CreatedSweep {
  sweepId: number
  trials: number
  plansCreated: number
  plansReused: number
}

/** Validates, plans and stores a sweep on a dataset; see the module comment. */
export async function createSweep(db: Db, request: { dataset: string; definition: SweepDefinitionInput | unknown; file?: string }): Promise<CreatedSweep> {
  const definition = parseSweepDefinition(request.definition, request.file)
  const dataset = requireDataset(db, request.dataset)
  const train = trainingVolumes(dataset)
  const bySlices = new Map(train.map((v) => [v.caseId, sliceCountOf(v)]))
  const trainSlices = train.reduce((a, v) => a + sliceCountOf(v), 0)
  for (const seed of definition.grid.seeds) {
    const counts = subsetOrder([...bySlices.keys()], seed).map((id) => bySlices.get(id) as number)
    assertCellsPossible(definition.grid, counts, 'sweep')
  }
  const specs = expandTrials(definition.grid)
  // The shared train config checked for each model (geometry, class weights) before anything is stored.
  for (const model of definition.grid.models) {
    const dense = specs.find((s) => s.dense && s.model === model.name) as TrialSpec
    await resolveTrainJob({ db }, trialConfig(definition, dataset.id, dense, null))
  }

  const created: number[] = []
  try {
    const plans = new Map<string, { planId: number; totalSlices: number }>()
    let reused = 0
    const trials: NewTrial[] = []
    for (const spec of specs) {
      if (spec.dense) {
        trials.push({ key: trialKey(spec), spec, planId: null, budget: trainSlices })
        continue
      }
      const planKey = `${spec.density}|${spec.volumeFraction}|${spec.method}|${spec.seed}`
      let plan = plans.get(planKey)
      if (!plan) {
        const made = await createPlan(db, {
          dataset: dataset.name,
          density: spec.density,
          volumeFraction: spec.volumeFraction,
          method: spec.method === 'dense' ? 'fixed' : spec.method,
          seed: spec.seed,
        })
        if (made.reused) reused++
        else created.push(made.plan.planId)
        plan = { planId: made.plan.planId, totalSlices: made.plan.totalSlices }
        plans.set(planKey, plan)
      }
      trials.push({ key: trialKey(spec), spec, planId: plan.planId, budget: plan.totalSlices })
    }
    const sweepId = insertSweep(db, { datasetId: dataset.id, definition, trainSlices, trials })
    return { sweepId, trials: trials.length, plansCreated: created.length, plansReused: reused }
  } catch (err) {
    const remove = db.prepare('DELETE FROM plans WHERE id = ?')
    immediate(db, () => created.forEach((id) => remove.run(id)))
    throw err
  }
}
