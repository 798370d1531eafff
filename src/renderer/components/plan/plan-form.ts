// The Plan view's form: its fields, the request they make, and what is wrong with a request in the form's own
// words ("density ρ", not "plans:create" or "density: Too small"). No Vue here, so it can be tested.
import { isApiChannel } from '../../../shared/api'
import { PlanRequestSchema, type PlanRequestInput, type SelectionMethod, type SelectionRule, type SelectionScope } from '../../../shared/plan'

export interface PlanFormState {
  /** '' while the field is empty. */
  density: number | ''
  volumeFraction: number | ''
  method: SelectionMethod
  rule: SelectionRule
  scope: SelectionScope
  seed: number | ''
}

export function defaultPlanForm(): PlanFormState {
  return { density: 0.2, volumeFraction: 0.5, method: 'fixed', rule: 'kcenter', scope: 'volume', seed: 0 }
}

/** The request the form describes; an empty field travels as NaN, which the check below names. */
export function requestFromForm(form: PlanFormState): Omit<PlanRequestInput, 'dataset'> {
  const number = (value: number | ''): number => (value === '' ? Number.NaN : value)
  return {
    density: number(form.density),
    volumeFraction: number(form.volumeFraction),
    method: form.method,
    seed: number(form.seed),
    ...(form.method === 'representative' ? { rule: form.rule, scope: form.scope } : {}),
  }
}

/** Each field as the form labels it, and what it takes. */
const fields: Record<string, { label: string; takes?: string }> = {
  density: { label: 'density ρ', takes: 'a fraction above 0 and at most 1' },
  volumeFraction: { label: 'volumes s', takes: 'a fraction above 0 and at most 1' },
  seed: { label: 'seed', takes: 'a whole number, 0 or more' },
  method: { label: 'method' },
  rule: { label: 'rule' },
  scope: { label: 'scope' },
  dataset: { label: 'dataset' },
}
/** The core's own names for ρ, s and the seed (the CLI's options), as an InputError's source carries them. */
const fieldOfSource: Record<string, string> = { '--density': 'density', '--volumes': 'volumeFraction', 'plan option seed': 'seed' }

/**
 * What is wrong with a request, checked with the same schema the server applies, one sentence per field;
 * undefined when nothing is.
 */
export function planRequestProblem(dataset: string, request: Omit<PlanRequestInput, 'dataset'>): string | undefined {
  const parsed = PlanRequestSchema.safeParse({ ...request, dataset })
  if (parsed.success) return undefined
  const seen = new Set<string>()
  const sentences: string[] = []
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? '')
    if (seen.has(key)) continue
    seen.add(key)
    const field = fields[key]
    const value = (request as Record<string, unknown>)[key]
    const empty = value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))
    if (!field) sentences.push(issue.message)
    else if (empty) sentences.push(`${field.label} is empty${field.takes ? `: type ${field.takes}` : ''}`)
    else sentences.push(field.takes ? `${field.label} must be ${field.takes}; it is ${String(value)}` : `${field.label}: ${issue.message}`)
  }
  return sentences.join('. ')
}

/**
 * A failed plans:create in the form's words: a refused payload names the channel and the schema's field
 * paths, an InputError the CLI option; both become the form's label. Anything else keeps its message.
 */
export function planErrorText(error: { message: string; source?: string | undefined; problem?: string | undefined }): string {
  const { source, problem } = error
  if (!source || !problem) return error.message
  if (isApiChannel(source)) {
    return problem
      .split('; ')
      .map((part) => {
        const at = part.indexOf(': ')
        const field = at > 0 ? fields[part.slice(0, at)] : undefined
        return field ? `${field.label} ${part.slice(at + 2)}` : part
      })
      .join('; ')
  }
  const key = fieldOfSource[source]
  return key ? `${fields[key]?.label} ${problem}` : error.message
}
