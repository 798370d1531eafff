// The Electron main process's side of the SQLite binding: which file to load, and a trial load that turns a
// corrupt or wrong-ABI file into a message naming the file and the command that rebuilds it, instead of a crash
// deep inside the store. The store itself (core/store/database.ts) only receives the path.
import Database from 'better-sqlite3'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { bindingDir, rebuildCommand, sqliteBindingFile } from './sqlite-binding'

/** The environment variable through which the path reaches the store, in this thread and in worker threads. */
export const sqliteBindingEnv = 'WORKBENCH_SQLITE_BINDING'

/** Exit code of the desktop app when its binding is unusable: `npm start` then opens browser mode instead. */
export const bindingUnusableExitCode = 78

/** What the main process knows about itself, as Electron's `app` and `process` report it. */
export interface MainRuntime {
  isPackaged: boolean
  /** process.resourcesPath: the installed app's resources folder. */
  resourcesPath: string
  /** The source checkout, when not packaged. */
  repoRoot: string
  env: NodeJS.ProcessEnv
  /** process.versions.electron */
  electronVersion: string
  /** process.versions.modules: Electron's NODE_MODULE_VERSION. */
  abi: string
  platform: NodeJS.Platform
  arch: string
}

/** better-sqlite3's version as installed beside the app (its JavaScript must match the binding). */
export function installedSqliteVersion(fromFile: string): string {
  const require = createRequire(fromFile)
  return (require('better-sqlite3/package.json') as { version: string }).version
}

/**
 * The binding the main process loads: the path `npm start` passed, else the installed app's resources/native
 * copy (package.json build.extraResources), else the checkout's Electron build (electron-vite dev, `electron .`).
 */
export function mainBindingPath(runtime: MainRuntime, moduleVersion: () => string): string {
  const passed = runtime.env[sqliteBindingEnv]
  if (passed) return passed
  if (runtime.isPackaged) return join(runtime.resourcesPath, 'native', sqliteBindingFile)
  const target = { moduleVersion: moduleVersion(), electronVersion: runtime.electronVersion, abi: runtime.abi, platform: runtime.platform, arch: runtime.arch }
  return join(bindingDir(runtime.repoRoot, target), sqliteBindingFile)
}

/** The fix a user can run: the rebuild script in a checkout, a reinstall for an installed app. */
export function rebuildAdvice(isPackaged: boolean): string {
  return isPackaged ? 'reinstall the app (its native/ folder is damaged)' : `run \`${rebuildCommand}\``
}

/** One line about why a binding failed to load, from the loader's error. */
export function describeBindingLoadError(file: string, message: string, isPackaged: boolean): string {
  const what = /NODE_MODULE_VERSION|different Node\.js version|module version mismatch/i.test(message)
    ? 'was built for another Node/Electron ABI'
    : /ENOENT|cannot find module|no such file/i.test(message)
      ? 'is missing'
      : /invalid ELF|not a valid Win32|wrong ELF class|mach-o|too short|file too short|slice is not valid|not a dynamic library/i.test(message)
        ? 'is corrupt (not a loadable library)'
        : `could not be loaded (${message.split('\n')[0]})`
  return `the SQLite binding ${file} ${what}; ${rebuildAdvice(isPackaged)}`
}

/** Opens an in-memory database through `file`; the reason in one line when that fails. */
export type BindingTrial = { ok: true } | { ok: false; message: string }

/** Loads the binding once, through better-sqlite3's `nativeBinding`, before the store or any worker uses it. */
export function tryBinding(file: string, isPackaged: boolean): BindingTrial {
  try {
    new Database(':memory:', { nativeBinding: file }).close()
    return { ok: true }
  } catch (err) {
    return { ok: false, message: describeBindingLoadError(file, err instanceof Error ? err.message : String(err), isPackaged) }
  }
}

/** The repository root of a checkout, from a module of out/main (the main bundle sits two levels down). */
export function checkoutRoot(mainModuleFile: string): string {
  return dirname(dirname(dirname(mainModuleFile)))
}
