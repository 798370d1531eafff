import { apiChannels, type ApiChannel, type ApiHandlers } from '../../shared/api'

/**
 * API handlers for door tests (IPC, server): the given ones, and for every other channel a handler that
 * fails loudly, so adding a channel to the map does not break tests that never call it.
 */
export function fakeHandlers(given: Partial<ApiHandlers>): ApiHandlers {
  const all = {} as Record<ApiChannel, unknown>
  for (const channel of Object.keys(apiChannels) as ApiChannel[]) {
    all[channel] =
      given[channel] ??
      (async () => {
        throw new Error(`the fake handlers of this test do not implement ${channel}`)
      })
  }
  return all as ApiHandlers
}
