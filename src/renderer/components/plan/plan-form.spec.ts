import { describe, expect, it } from 'vitest'
import { defaultPlanForm, planErrorText, planRequestProblem, requestFromForm } from './plan-form'

describe('the plan form', () => {
  it('makes the request its fields describe, the rule and scope only for representative selection', () => {
    expect(requestFromForm(defaultPlanForm())).toEqual({ density: 0.2, volumeFraction: 0.5, method: 'fixed', seed: 0 })
    expect(requestFromForm({ ...defaultPlanForm(), method: 'representative', rule: 'kmedoids', scope: 'dataset' })).toMatchObject({ rule: 'kmedoids', scope: 'dataset' })
    expect(requestFromForm({ ...defaultPlanForm(), density: '' }).density).toBeNaN()
  })

  it('finds nothing wrong with a good request', () => {
    expect(planRequestProblem('sample', requestFromForm(defaultPlanForm()))).toBeUndefined()
  })

  it('names a wrong field as the form labels it, never the channel or the schema path', () => {
    const problem = (over: Partial<ReturnType<typeof defaultPlanForm>>) => planRequestProblem('sample', requestFromForm({ ...defaultPlanForm(), ...over }))
    expect(problem({ density: 0 })).toBe('density ρ must be a fraction above 0 and at most 1; it is 0')
    expect(problem({ density: 1.5 })).toBe('density ρ must be a fraction above 0 and at most 1; it is 1.5')
    expect(problem({ volumeFraction: '' })).toBe('volumes s is empty: type a fraction above 0 and at most 1')
    expect(problem({ seed: -1 })).toBe('seed must be a whole number, 0 or more; it is -1')
    expect(problem({ density: 0, seed: 1.5 })).toBe('density ρ must be a fraction above 0 and at most 1; it is 0. seed must be a whole number, 0 or more; it is 1.5')
  })

  it('puts the server\'s refusals in the same words', () => {
    expect(planErrorText({ message: 'invalid input for plans:create: density: must be above 0', source: 'plans:create', problem: 'density: must be above 0' })).toBe('density ρ must be above 0')
    expect(planErrorText({ message: '--volumes: must be a fraction in (0, 1], got 2', source: '--volumes', problem: 'must be a fraction in (0, 1], got 2' })).toBe('volumes s must be a fraction in (0, 1], got 2')
    expect(planErrorText({ message: 'sample: no dataset has this name', source: 'sample', problem: 'no dataset has this name' })).toBe('sample: no dataset has this name')
    expect(planErrorText({ message: 'cannot reach the workbench server' })).toBe('cannot reach the workbench server')
  })
})
