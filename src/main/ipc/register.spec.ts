import { fakeHandlers } from '../test-support/fake-handlers'
import { describe, expect, it, vi } from 'vitest'
import { apiChannels, type ApiHandlers } from '../../shared/api'
import { InputError } from '../../shared/errors'

type Listener = (event: { senderFrame: { url: string } | null }, raw: unknown) => Promise<unknown>
const registered = new Map<string, Listener>()

// The real 'electron' module would try to download its binary; the IPC registration only needs ipcMain.
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: Listener) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`)
      registered.set(channel, listener)
    },
    removeHandler: (channel: string) => registered.delete(channel),
  },
}))

const { registerIpc } = await import('./register')
const { makeSenderCheck } = await import('./sender')

const handlers: ApiHandlers = fakeHandlers({
  'app:info': async () => ({ version: '1', dbPath: 'db', workspace: 'ws', transport: 'ipc' }),
  'datasets:list': async () => [],
  'datasets:get': async ({ name }) => {
    throw new InputError(name, 'no dataset has this name')
  },
})
const indexUrl = 'app://workbench/index.html'
const own = { senderFrame: { url: indexUrl } }

describe('registerIpc', () => {
  const unregister = registerIpc(handlers, { isTrustedSender: makeSenderCheck({ indexUrl }) })
  const call = (channel: string, event: Parameters<Listener>[0], raw: unknown) => {
    const listener = registered.get(channel)
    if (!listener) throw new Error(`no handler for ${channel}`)
    return listener(event, raw)
  }

  it('registers exactly one handler per channel of the map', () => {
    expect([...registered.keys()].sort()).toEqual(Object.keys(apiChannels).sort())
  })

  it('answers the own page with {ok: true, value}', async () => {
    expect(await call('datasets:list', own, {})).toEqual({ ok: true, value: [] })
  })

  it('answers bad input and InputError with {ok: false, error}', async () => {
    expect(await call('datasets:get', own, { name: '' })).toMatchObject({ ok: false, error: { source: 'datasets:get' } })
    expect(await call('datasets:get', own, { name: 'x' })).toEqual({
      ok: false,
      error: { error: 'x: no dataset has this name', source: 'x', problem: 'no dataset has this name' },
    })
  })

  it('refuses other pages and destroyed frames', async () => {
    for (const event of [{ senderFrame: { url: 'https://example.com/' } }, { senderFrame: null }]) {
      const result = await call('datasets:list', event, {})
      expect(result).toMatchObject({ ok: false, error: { error: expect.stringMatching(/refused/) } })
    }
  })

  it('removes its handlers again', () => {
    unregister()
    expect(registered.size).toBe(0)
  })
})
