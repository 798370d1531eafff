// The Plan view's inputs for the page's session, kept outside the components so switching tabs (which unmounts
// the view) leaves the form, the slice budget and the plan on show as the user left them.
import { reactive } from 'vue'
import { defaultPlanForm, type PlanFormState } from './plan-form'

const form = reactive<PlanFormState>(defaultPlanForm())
/** The slice budget typed into the budget planner ('' while empty). */
const budget = reactive<{ slices: number | '' }>({ slices: 40 })
/** The plan on show per dataset, reopened when the view comes back. */
const openPlans = new Map<string, number>()

export function usePlanSession(): {
  form: PlanFormState
  budget: { slices: number | '' }
  openPlanOf(dataset: string): number | undefined
  setOpenPlan(dataset: string, planId: number): void
} {
  return { form, budget, openPlanOf: (dataset) => openPlans.get(dataset), setOpenPlan: (dataset, planId) => void openPlans.set(dataset, planId) }
}
