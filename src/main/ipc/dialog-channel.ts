// Shared by the main process and the preload (which may bundle nothing heavy): the IPC name of the folder dialog.
// It is not in the shared API map because browser mode has no native dialog; only the Electron door offers it.
export const pickFolderChannel = 'dialog:pickFolder'
