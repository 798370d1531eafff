import { describe, expect, it } from 'vitest'
import { apiChannels, apiEvents } from '../../shared/api'
import { preloadDefines } from '../../../electron.vite.config'
import { makeNameGuard, refuseChannel } from './channel-guard'

describe('the preload channel guard', () => {
  it('allows exactly the names it is given', () => {
    const guard = makeNameGuard(['app:info', 'datasets:list'])
    expect(guard('app:info')).toBe(true)
    for (const name of ['app:infox', '__proto__', 'constructor', '', 42, undefined, { toString: () => 'app:info' }]) expect(guard(name)).toBe(false)
  })

  it('answers a refused channel the way the main process answers a refused sender', () => {
    expect(refuseChannel('fs:read')).toEqual({ ok: false, error: { error: 'refused: fs:read is not a workbench API channel' } })
  })

  it('is built from the shared map: the preload bundle gets every channel and event name, and no others', () => {
    expect(JSON.parse(preloadDefines.__WORKBENCH_API_CHANNELS__)).toEqual(Object.keys(apiChannels))
    expect(JSON.parse(preloadDefines.__WORKBENCH_API_EVENTS__)).toEqual(Object.keys(apiEvents))
  })
})
