// The bridge between the sandboxed renderer and the main process: exactly one object, `window.workbench`.
// It only forwards; validation happens in the main process (ipc/register.ts). Type imports only: a sandboxed
// preload may require nothing but 'electron', so no schema library is bundled in here.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ApiChannel, ApiEventName, ApiEventPayload, ApiInput, ApiResult, WorkbenchBridge } from '../shared/api'
import { pickFolderChannel } from './ipc/dialog-channel'
import { eventChannel } from './ipc/event-channel'

const bridge: WorkbenchBridge = {
  invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiResult<C>> {
    return ipcRenderer.invoke(channel, input)
  },
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
    const channel = eventChannel(event)
    // Do not hand the IpcRendererEvent (which holds `sender`) to the page.
    const wrapped = (_event: IpcRendererEvent, payload: ApiEventPayload<E>): void => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  },
  pickFolder(): Promise<string | null> {
    return ipcRenderer.invoke(pickFolderChannel)
  },
}

contextBridge.exposeInMainWorld('workbench', bridge)
