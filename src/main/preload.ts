// The bridge between the sandboxed renderer and the main process: exactly one object, `window.workbench`.
// It forwards only the channels and events of the shared map (their names are written into this bundle at build
// time, see ipc/build-constants.d.ts); payloads are validated in the main process (ipc/register.ts). Type imports
// only otherwise: a sandboxed preload may require nothing but 'electron', so no schema library is bundled in here.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ApiChannel, ApiEventName, ApiEventPayload, ApiInput, ApiResult, WorkbenchBridge } from '../shared/api'
import { makeNameGuard, refuseChannel } from './ipc/channel-guard'
import { pickFolderChannel } from './ipc/dialog-channel'
import { eventChannel } from './ipc/event-channel'

const isApiChannel = makeNameGuard(__WORKBENCH_API_CHANNELS__)
const isApiEvent = makeNameGuard(__WORKBENCH_API_EVENTS__)

const bridge: WorkbenchBridge = {
  invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiResult<C>> {
    // A page script could pass any string: never let it reach ipcMain under a name outside the map.
    if (!isApiChannel(channel)) return Promise.resolve(refuseChannel(channel))
    return ipcRenderer.invoke(channel, input)
  },
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
    if (!isApiEvent(event)) throw new Error(`refused: ${String(event)} is not a workbench event`)
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
