// The application menu as a plain template (Electron's MenuItemConstructorOptions), built from flags and
// callbacks so it can be checked in plain Node; index.ts turns it into a Menu.
import type { MenuItemConstructorOptions } from 'electron'

export interface MenuOptions {
  /** The product name shown in the macOS app menu and the About item. */
  appName: string
  /** macOS puts About and Quit in an app menu of its own. */
  isMac: boolean
  /** Reload and developer tools are offered only while developing. */
  isDev: boolean
}

export interface MenuActions {
  /** File ▸ Import dataset…: the page opens its import form. */
  importDataset(): void
  /** Help ▸ About: shows the version. */
  showAbout(): void
}

/** The menu bar: File (Import dataset…, Quit), Edit (clipboard in text fields), View, Help (About). */
export function buildMenuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const about: MenuItemConstructorOptions = { label: `About ${options.appName}`, click: () => actions.showAbout() }
  const template: MenuItemConstructorOptions[] = []
  if (options.isMac) {
    template.push({ label: options.appName, submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] })
  }
  template.push({
    label: 'File',
    submenu: [
      { label: 'Import dataset…', accelerator: 'CmdOrCtrl+I', click: () => actions.importDataset() },
      ...(options.isMac ? [{ role: 'close' } as const] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  })
  // Without an Edit menu the copy / paste shortcuts do nothing in text fields on macOS.
  template.push({
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  })
  const develop: MenuItemConstructorOptions[] = options.isDev
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : []
  template.push({
    label: 'View',
    submenu: [...develop, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  })
  template.push({ label: 'Help', submenu: [about] })
  return template
}

/** The About box's text: the workbench's version and the runtime it runs on. */
export function aboutDetail(version: string, runtime: { electron?: string; chrome?: string; node?: string }): string {
  const lines = [`Version ${version}`]
  if (runtime.electron) lines.push(`Electron ${runtime.electron}`)
  if (runtime.chrome) lines.push(`Chromium ${runtime.chrome}`)
  if (runtime.node) lines.push(`Node.js ${runtime.node}`)
  lines.push('', 'Sparse annotation of 3D medical images: which slices to annotate for training segmentation models.')
  return lines.join('\n')
}
