// Registers one ipcMain handler per API channel, generated from the shared channel map.
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import { apiChannels, isApiChannel, type ApiChannel, type ApiHandlers, type ApiResult } from '../../shared/api'
import { dispatch } from './dispatch'

/** Options of registerIpc. */
export interface RegisterIpcOptions {
  /** True when a frame URL is the app's own page (see makeSenderCheck). */
  isTrustedSender: (frameUrl: string) => boolean
}

/** Registers every channel of apiChannels on ipcMain; returns a function that removes them again. */
export function registerIpc(handlers: ApiHandlers, options: RegisterIpcOptions): () => void {
  const channels = Object.keys(apiChannels).filter(isApiChannel)
  for (const channel of channels) registerChannel(handlers, channel, options)
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel)
  }
}

function registerChannel<C extends ApiChannel>(handlers: ApiHandlers, channel: C, options: RegisterIpcOptions): void {
  ipcMain.handle(channel, async (event: IpcMainInvokeEvent, raw: unknown): Promise<ApiResult<C>> => {
    // senderFrame is null when the frame has navigated away or been destroyed meanwhile.
    const frameUrl = event.senderFrame?.url ?? ''
    if (!options.isTrustedSender(frameUrl)) {
      return { ok: false, error: { error: `refused: ${channel} may only be called from the workbench's own page` } }
    }
    const outcome = await dispatch(handlers, channel, raw)
    return outcome.ok ? { ok: true, value: outcome.value } : { ok: false, error: outcome.error }
  })
}
