// The native folder dialog for the page: a sandboxed renderer cannot open dialogs, so it asks the main process
// over one channel, and only from the app's own page.
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron'
import { pickFolderChannel } from './dialog-channel'

export interface PickFolderOptions {
  /** True when a frame URL is the app's own page (see makeSenderCheck). */
  isTrustedSender: (frameUrl: string) => boolean
}

const dialogOptions: OpenDialogOptions = {
  title: 'Choose a dataset folder',
  buttonLabel: 'Choose folder',
  properties: ['openDirectory', 'dontAddToRecent'],
}

/** Handles `dialog:pickFolder`: resolves to the chosen folder's path, or null when the dialog is cancelled. */
export function registerPickFolder(options: PickFolderOptions): () => void {
  ipcMain.handle(pickFolderChannel, async (event: IpcMainInvokeEvent): Promise<string | null> => {
    if (!options.isTrustedSender(event.senderFrame?.url ?? '')) {
      throw new Error(`refused: ${pickFolderChannel} may only be called from the workbench's own page`)
    }
    // Modal to the asking window, so the dialog cannot end up behind it.
    const owner = BrowserWindow.fromWebContents(event.sender)
    const result = owner ? await dialog.showOpenDialog(owner, dialogOptions) : await dialog.showOpenDialog(dialogOptions)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  })
  return () => ipcMain.removeHandler(pickFolderChannel)
}
