// The Train form's values for the page's session, kept outside the component so switching tabs (which unmounts
// the view) cannot quietly put a setting back — a flips-off choice coming back on trained a run with flips.
// The first use starts from the last form a run was started from (train-form-memory.ts).
import { reactive } from 'vue'
import type { TrainFormState } from './train-form'
import { recallTrainForm, rememberTrainForm, type KeyValueStore } from './train-form-memory'

let form: TrainFormState | undefined
let formDataset: string | undefined

/** The page's storage, or none where it is refused (privacy settings, an opaque origin). */
function pageStorage(): KeyValueStore | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

/** The one form of this page, for `dataset`; another dataset keeps every setting but the plan (plans are per dataset). */
export function useTrainForm(dataset: string): TrainFormState {
  if (!form) form = reactive(recallTrainForm(pageStorage(), dataset))
  else if (formDataset !== dataset) form.planId = null
  formDataset = dataset
  return form
}

/** Remembers the form a run is started from, for the next visit. */
export function rememberStartedForm(dataset: string, started: TrainFormState): void {
  rememberTrainForm(pageStorage(), dataset, started)
}
