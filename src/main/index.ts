// Electron lifecycle, the window and the menu, nothing else: the store and the handlers come from openWorkbench,
// the API from ipc/register. Security as Electron's own checklist has it: isolated, sandboxed renderer,
// a CSP, no navigation away from the app, no new windows, no permissions, IPC only from our page.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, Menu, screen, session, shell, type WebContents } from 'electron'
import { openWorkbench, type WorkbenchContext } from './app/open-workbench'
import { workbenchVersion } from './app/version'
import { rendererCsp } from './ipc/csp'
import { sendEvent } from './ipc/events'
import { registerIpc } from './ipc/register'
import { registerPickFolder } from './ipc/pick-folder'
import { makeSenderCheck } from './ipc/sender'
import { aboutDetail, buildMenuTemplate } from './shell/menu'
import { initialWindowPlacement, rememberWindowState } from './shell/remember-window'

const preloadFile = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url))
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url))
/** Set by `electron-vite dev`; absent in a built app. */
const devServerUrl = process.env.ELECTRON_RENDERER_URL
const isOwnPage = makeSenderCheck({ indexFile: rendererIndex, devServerUrl })

let workbench: WorkbenchContext | undefined
let unregisterIpc: (() => void) | undefined
let unsubscribeEvents: (() => void) | undefined
let unregisterPickFolder: (() => void) | undefined

const appName = 'Sparse Annotation Workbench'
const windowSize = { width: 1280, height: 820, minWidth: 800, minHeight: 500 }

/** Opens http(s) links in the system browser; everything else (file:, javascript:, custom schemes) is dropped. */
function openExternally(href: string): void {
  try {
    const { protocol } = new URL(href)
    if (protocol === 'https:' || protocol === 'http:') void shell.openExternal(href)
  } catch {
    // not a URL: ignore
  }
}

/** Locks down every web contents the app creates: no navigation away, no popups, no <webview>. */
function guard(contents: WebContents): void {
  contents.on('will-navigate', (event, href) => {
    if (isOwnPage(href)) return
    event.preventDefault()
    openExternally(href)
  })
  contents.on('will-redirect', (event, href) => {
    if (!isOwnPage(href)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url)
    return { action: 'deny' }
  })
}

/** The small JSON file that remembers the window's size, position and maximised state. */
function windowStateFile(): string {
  return join(app.getPath('userData'), 'window-state.json')
}

function createWindow(): BrowserWindow {
  const placement = initialWindowPlacement(
    windowStateFile(),
    screen.getAllDisplays().map((d) => d.workArea),
    windowSize,
  )
  const win = new BrowserWindow({
    width: placement.width,
    height: placement.height,
    ...(placement.x !== undefined && placement.y !== undefined ? { x: placement.x, y: placement.y } : {}),
    minWidth: windowSize.minWidth,
    minHeight: windowSize.minHeight,
    backgroundColor: '#1b1d21',
    title: appName,
    show: false,
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  if (placement.maximized) win.maximize()
  rememberWindowState(win, windowStateFile())
  win.once('ready-to-show', () => win.show())
  if (devServerUrl) void win.loadURL(devServerUrl)
  else void win.loadFile(rendererIndex)
  return win
}

function hardenSession(): void {
  const ses = session.defaultSession
  // The header carries frame-ancestors, which a <meta> cannot. file:// pages get their policy from the meta.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const ownPage = isOwnPage(details.url) || (devServerUrl !== undefined && details.url.startsWith(devServerUrl))
    if (!ownPage) return callback({ responseHeaders: details.responseHeaders })
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [rendererCsp],
        'X-Content-Type-Options': ['nosniff'],
      },
    })
  })
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
}

function installMenu(): void {
  const template = buildMenuTemplate(
    { appName, isMac: process.platform === 'darwin', isDev: !app.isPackaged || devServerUrl !== undefined },
    {
      importDataset: () => {
        const open = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
        if (open) return sendEvent(open.webContents, 'menu', { action: 'import-dataset' })
        // macOS keeps the app alive without windows: open one and ask once its page listens.
        const win = createWindow()
        win.webContents.once('did-finish-load', () => sendEvent(win.webContents, 'menu', { action: 'import-dataset' }))
      },
      showAbout: () => {
        const options = { type: 'info' as const, title: `About ${appName}`, message: appName, detail: aboutDetail(workbenchVersion(), process.versions), buttons: ['OK'] }
        const win = BrowserWindow.getFocusedWindow()
        void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options))
      },
    },
  )
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

/** The store's location: WORKBENCH_DB / WORKBENCH_HOME when set, else the user-data folder. */
function storeLocation(): { dbPath: string; workspace: string } {
  const userData = app.getPath('userData')
  return {
    dbPath: process.env.WORKBENCH_DB || join(userData, 'workbench.db'),
    workspace: process.env.WORKBENCH_HOME || join(userData, 'workspace'),
  }
}

if (!app.requestSingleInstanceLock()) {
  // A second instance would open the same SQLite store; hand over to the first one instead.
  app.quit()
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows()
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('web-contents-created', (_event, contents) => guard(contents))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  app.on('will-quit', () => {
    unsubscribeEvents?.()
    unregisterIpc?.()
    unregisterPickFolder?.()
    workbench?.close()
    workbench = undefined
  })

  void app.whenReady().then(() => {
    hardenSession()
    workbench = openWorkbench({ ...storeLocation(), transport: 'ipc' })
    unregisterIpc = registerIpc(workbench.handlers, { isTrustedSender: isOwnPage })
    unregisterPickFolder = registerPickFolder({ isTrustedSender: isOwnPage })
    installMenu()
    // Progress of long work (training, …) goes to every window of the app; the renderer parses it.
    unsubscribeEvents = workbench.events.subscribe((m) => {
      for (const win of BrowserWindow.getAllWindows()) sendEvent(win.webContents, m.event, m.payload)
    })
    createWindow()
  })
}
