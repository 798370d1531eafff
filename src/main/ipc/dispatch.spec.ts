import { describe, expect, it } from 'vitest'
import { fakeHandlers } from '../test-support/fake-handlers'
import type { ApiHandlers } from '../../shared/api'
import { InputError } from '../../shared/errors'
import { dispatch } from './dispatch'

const handlers: ApiHandlers = fakeHandlers({
  'app:info': async () => ({ version: '1', dbPath: 'db', workspace: 'ws', transport: 'ipc' }),
  'datasets:list': async () => [],
  'datasets:get': async ({ name }) => {
    if (name === 'oops') throw new TypeError('bug')
    throw new InputError(name, 'no dataset has this name')
  },
})

describe('dispatch', () => {
  it('returns the handler value', async () => {
    expect(await dispatch(handlers, 'datasets:list', {})).toEqual({ ok: true, value: [] })
  })

  it('refuses input that fails the channel schema without calling the handler', async () => {
    const outcome = await dispatch(handlers, 'datasets:get', { name: 42 })
    expect(outcome).toMatchObject({ ok: false, kind: 'bad-input', error: { source: 'datasets:get' } })
    expect(await dispatch(handlers, 'datasets:get', undefined)).toMatchObject({ ok: false, kind: 'bad-input' })
  })

  it('refuses unknown keys by name, at the top and nested, unknown keys first (Electron IPC and browser mode alike)', async () => {
    expect(await dispatch(handlers, 'datasets:get', { name: 'sample', nmae: 'x' })).toEqual({
      ok: false,
      kind: 'bad-input',
      error: { error: "invalid input for datasets:get: unknown key 'nmae'", source: 'datasets:get', problem: "unknown key 'nmae'" },
    })
    const nested = await dispatch(handlers, 'datasets:import', { folder: '/data', name: 'a', seed: -1, preprocessing: { targetShap: [1, 1, 1] } })
    expect(nested).toMatchObject({ ok: false, kind: 'bad-input' })
    expect(nested.ok ? '' : nested.error.problem).toMatch(/^preprocessing: unknown key 'targetShap'; seed: /)
    expect(await dispatch(handlers, 'app:info', { verbose: true })).toMatchObject({ ok: false, error: { problem: "unknown key 'verbose'" } })
  })

  it('maps InputError to source and problem, other errors to their message', async () => {
    expect(await dispatch(handlers, 'datasets:get', { name: 'x' })).toEqual({
      ok: false,
      kind: 'input-error',
      error: { error: 'x: no dataset has this name', source: 'x', problem: 'no dataset has this name' },
    })
    expect(await dispatch(handlers, 'datasets:get', { name: 'oops' })).toEqual({ ok: false, kind: 'internal', error: { error: 'bug' } })
  })
})
