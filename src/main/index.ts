// Electron lifecycle and the window, nothing else: the store and the handlers come from openWorkbench, the API
// from ipc/register, the page from the app:// handler (shell/app-protocol). Security as Electron's own checklist
// has it: isolated, sandboxed renderer, a CSP, no navigation away from the app (subframes none at all), no new
// windows, no permissions, IPC only from our page. Before the store opens, the Electron build of better-sqlite3
// is loaded once (desktop/main-binding): a missing, corrupt or wrong-ABI file ends the app with a message naming
// it and the rebuild command, and `npm start` then opens browser mode.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, Menu, protocol, screen, session, shell, type WebContents } from 'electron'
import { openWorkbench, type WorkbenchContext } from './app/open-workbench'
import { appFolderName } from './app/paths'
import { workbenchVersion } from './app/version'
import { bindingUnusableExitCode, checkoutRoot, installedSqliteVersion, mainBindingPath, sqliteBindingEnv, tryBinding } from './desktop/main-binding'
import { rendererCsp, rendererDevCsp } from './ipc/csp'
import { sendEvent } from './ipc/events'
import { registerIpc } from './ipc/register'
import { registerPickFolder } from './ipc/pick-folder'
import { makeSenderCheck } from './ipc/sender'
import { appIndexUrl, appScheme, appSchemePrivileges, makeAppProtocolHandler } from './shell/app-protocol'
import { aboutDetail, buildMenuTemplate } from './shell/menu'
import { decideNavigation, isWebLink } from './shell/navigation'
import { initialWindowPlacement, rememberWindowState } from './shell/remember-window'

const mainFile = fileURLToPath(import.meta.url)
const preloadFile = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url))
const rendererRoot = fileURLToPath(new URL('../renderer', import.meta.url))
/** Set by `electron-vite dev`; absent in a built app. */
const devServerUrl = process.env.ELECTRON_RENDERER_URL
const isOwnPage = makeSenderCheck({ indexUrl: appIndexUrl, devServerUrl })

let workbench: WorkbenchContext | undefined
let unregisterIpc: (() => void) | undefined
let unsubscribeEvents: (() => void) | undefined
let unregisterPickFolder: (() => void) | undefined

const appName = 'Sparse Annotation Workbench'
const windowSize = { width: 1280, height: 820, minWidth: 800, minHeight: 500 }

/** Opens http(s) links in the system browser; everything else (file:, javascript:, custom schemes) is dropped. */
function openExternally(href: string): void {
  if (isWebLink(href)) void shell.openExternal(href)
}

/** Locks down every web contents the app creates: no navigation away, none at all in subframes, no popups, no <webview>. */
function guard(contents: WebContents): void {
  // will-frame-navigate also fires for subframes (will-navigate only for the main frame).
  contents.on('will-frame-navigate', (event) => {
    const decision = decideNavigation({ url: event.url, isMainFrame: event.isMainFrame }, isOwnPage)
    if (decision === 'allow') return
    event.preventDefault()
    if (decision === 'open-externally') openExternally(event.url)
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
  void win.loadURL(devServerUrl ?? appIndexUrl)
  return win
}

function hardenSession(): void {
  const ses = session.defaultSession
  // app:// pages carry their policy from the protocol handler; the dev server's pages get the development
  // policy here (the header carries frame-ancestors, which a <meta> cannot).
  protocol.handle(appScheme, makeAppProtocolHandler({ root: rendererRoot, csp: rendererCsp }))
  ses.webRequest.onHeadersReceived((details, callback) => {
    const devPage = devServerUrl !== undefined && details.url.startsWith(devServerUrl)
    if (!devPage) return callback({ responseHeaders: details.responseHeaders })
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [rendererDevCsp],
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

/**
 * Loads the Electron build of better-sqlite3 once and hands its path to the store (and to worker threads, which
 * inherit the environment). False, after saying why, when it cannot be loaded.
 */
function prepareSqliteBinding(): boolean {
  const file = mainBindingPath(
    {
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      repoRoot: checkoutRoot(mainFile),
      env: process.env,
      electronVersion: process.versions.electron ?? '',
      abi: process.versions.modules,
      platform: process.platform,
      arch: process.arch,
    },
    () => installedSqliteVersion(import.meta.url),
  )
  const trial = tryBinding(file, app.isPackaged)
  if (!trial.ok) {
    console.error(`workbench: ${trial.message}`)
    // An installed app has no terminal to read: show it. `npm start` reads the exit code and opens browser mode.
    if (app.isPackaged) dialog.showErrorBox(appName, trial.message)
    return false
  }
  process.env[sqliteBindingEnv] = file
  return true
}

/** The store's location: WORKBENCH_DB / WORKBENCH_HOME when set, else the user-data folder. */
function storeLocation(): { dbPath: string; workspace: string } {
  const userData = app.getPath('userData')
  return {
    dbPath: process.env.WORKBENCH_DB || join(userData, 'workbench.db'),
    workspace: process.env.WORKBENCH_HOME || join(userData, 'workspace'),
  }
}

// One store folder for the desktop app, the CLI and browser mode (app/paths.ts), whatever the product's name.
app.setPath('userData', join(app.getPath('appData'), appFolderName))
// Before `ready`: app:// is a standard, secure origin, so 'self' in the CSP means the app's own files.
protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: appSchemePrivileges }])

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
    if (!prepareSqliteBinding()) return app.exit(bindingUnusableExitCode)
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
