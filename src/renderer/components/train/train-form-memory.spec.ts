import { describe, expect, it } from 'vitest'
import { defaultTrainForm } from './train-form'
import { recallTrainForm, rememberTrainForm, trainFormKey, type KeyValueStore } from './train-form-memory'

function memoryStore(initial?: string): KeyValueStore & { values: Map<string, string> } {
  const values = new Map<string, string>(initial === undefined ? [] : [[trainFormKey, initial]])
  return { values, getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v) }
}

describe('the remembered train form', () => {
  it('starts at the defaults when nothing was remembered or no storage is there', () => {
    expect(recallTrainForm(memoryStore(), 'sample')).toEqual(defaultTrainForm())
    expect(recallTrainForm(undefined, 'sample')).toEqual(defaultTrainForm())
  })

  it('gives back the last started form, flips off included, and its plan only on the same dataset', () => {
    const store = memoryStore()
    const form = { ...defaultTrainForm(), planId: 7, interpolated: 'sdf' as const, modelKind: 'unet3d' as const, steps: 42, lr: 0.01, flip: false, backend: 'wasm' as const }
    form.augment = { ...form.augment, rotate: true }
    rememberTrainForm(store, 'sample', form)
    expect(recallTrainForm(store, 'sample')).toEqual(form)
    expect(recallTrainForm(store, 'other')).toEqual({ ...form, planId: null })
  })

  it('keeps a flips-on choice too (the memory is the user\'s, not the default\'s)', () => {
    const store = memoryStore()
    rememberTrainForm(store, 'sample', { ...defaultTrainForm(), flip: true })
    expect(recallTrainForm(store, 'sample').flip).toBe(true)
  })

  it('falls back to the defaults for an entry that is not JSON or not a valid config, field by field for odd types', () => {
    expect(recallTrainForm(memoryStore('{not json'), 'sample')).toEqual(defaultTrainForm())
    expect(recallTrainForm(memoryStore(JSON.stringify({ dataset: 'sample', form: { modelKind: 'resnet' } })), 'sample')).toEqual(defaultTrainForm())
    const odd = recallTrainForm(memoryStore(JSON.stringify({ dataset: 'sample', form: { steps: 'many', depth: null, seed: 3, planId: '4', interpolated: 'magic', augment: { rotate: 'yes', scale: true } } })), 'sample')
    expect(odd).toEqual({ ...defaultTrainForm(), seed: 3, augment: { ...defaultTrainForm().augment, scale: true } })
  })

  it('loses only the memory when the storage refuses to write', () => {
    const full: KeyValueStore = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError') } }
    expect(() => rememberTrainForm(full, 'sample', defaultTrainForm())).not.toThrow()
  })
})
