// The last train form a user started a run from, kept in the browser's storage so the next visit starts from it.
// Pure (the storage is passed in) so it can be tested; what comes back is checked field by field against the
// defaults and then against the shared schema, so an old or hand-edited entry can only fall back to defaults.
import { interpolationMethods } from '../../../shared/interpolation'
import { TrainConfigSchema } from '../../../shared/training'
import { configFromForm, defaultTrainForm, type TrainFormState } from './train-form'

/** The part of Web Storage used here (localStorage in the page; a Map-backed stand-in in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export const trainFormKey = 'workbench.train.last-form'

interface Remembered {
  dataset: string
  form: TrainFormState
}

/** Stores the form a run was started from; a full or refused storage only loses the memory. */
export function rememberTrainForm(store: KeyValueStore | undefined, dataset: string, form: TrainFormState): void {
  try {
    store?.setItem(trainFormKey, JSON.stringify({ dataset, form } satisfies Remembered))
  } catch {
    // Quota or privacy settings: the form still works, it just starts from the defaults next time.
  }
}

/**
 * The form to start from on `dataset`: the remembered one where it is valid, else the defaults. The plan is
 * the dataset's own, so it is kept only for the dataset it was chosen on.
 */
export function recallTrainForm(store: KeyValueStore | undefined, dataset: string): TrainFormState {
  const defaults = defaultTrainForm()
  let saved: Partial<Remembered> | undefined
  try {
    saved = JSON.parse(store?.getItem(trainFormKey) ?? 'null') as Partial<Remembered> | undefined
  } catch {
    return defaults
  }
  const form = saved?.form
  if (typeof form !== 'object' || form === null) return defaults
  const merged = defaultTrainForm()
  const target = merged as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(defaults)) {
    const got = (form as unknown as Record<string, unknown>)[key]
    if (key === 'augment' || got === undefined) continue
    // Nullable fields (plan, masks, backend) take null or a value of their own kind.
    if (typeof got === typeof value || (got === null && value === null) || (value === null && typeof got !== 'object')) target[key] = got
  }
  for (const key of Object.keys(defaults.augment) as (keyof TrainFormState['augment'])[]) {
    if (typeof form.augment?.[key] === 'boolean') merged.augment[key] = form.augment[key]
  }
  if (saved?.dataset !== dataset || (merged.planId !== null && !Number.isInteger(merged.planId))) merged.planId = null
  if (merged.interpolated !== null && !interpolationMethods.includes(merged.interpolated)) merged.interpolated = null
  return TrainConfigSchema.safeParse({ ...configFromForm(merged), datasetId: 1 }).success ? merged : defaults
}
