// Decides what `npm start` opens: the Electron window when its binary and the Electron build of better-sqlite3
// are there (fetching each once when missing), else browser mode with a one-line reason. Every input is
// injectable, so each way it can end is unit-tested without Electron or a network.
import { join } from 'node:path'
import { fetchElectronBinary, type FetchOutcome } from './fetch-electron'
import { obtainSqliteBinding, sqliteModuleVersion, type ObtainOutcome } from './fetch-sqlite-binding'
import { locateElectronBinary, type ElectronPackage } from './electron-binary'
import { bindingDir, checkBinding, type BindingTarget } from './sqlite-binding'
import type { ProgressStream } from './progress-line'
import type { CommandRunner } from './run-bounded'

/** What to open. */
export type LaunchPlan = { kind: 'electron'; executable: string; binding: string } | { kind: 'browser'; reason: string }

/** Time limits of the fetches, in ms. */
export interface FetchLimits {
  electron: number
  bindingDownload: number
  bindingCompile: number
}

/** Default limits: the Electron zip is ~100 MB; a compile of SQLite takes a minute or two on a laptop. */
export const defaultFetchLimits: FetchLimits = { electron: 300_000, bindingDownload: 120_000, bindingCompile: 600_000 }

/** Options of planDesktopLaunch. */
export interface LaunchOptions {
  repoRoot: string
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  arch?: string
  /** False: never download or compile, only use what is there (WORKBENCH_OFFLINE=1). */
  allowFetch?: boolean
  /** Obtain the binding again even when the one there checks out (`desktop:prepare -- --rebuild`). */
  rebuild?: boolean
  /** Only prepare: do not require a display (`npm run desktop:prepare`, `npm run dist`). */
  prepareOnly?: boolean
  limits?: FetchLimits
  run?: CommandRunner
  progress?: ProgressStream
  /** Replaceable for tests. */
  fetchElectron?: typeof fetchElectronBinary
  obtainBinding?: typeof obtainSqliteBinding
}

/** The display Electron would open its window on, or why there is none (Linux without X11 or Wayland). */
export function displayProblem(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | undefined {
  if (platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return undefined
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)'
}

/** What the Electron build of better-sqlite3 must match, or why it cannot be named. */
export function bindingTarget(repoRoot: string, pkg: ElectronPackage, platform: NodeJS.Platform, arch: string): BindingTarget | string {
  const moduleVersion = sqliteModuleVersion(repoRoot)
  if (!moduleVersion) return `better-sqlite3 is not installed (${join(repoRoot, 'node_modules', 'better-sqlite3')}; run npm ci)`
  if (!pkg.abi) return `the electron package names no ABI (${join(pkg.dir, 'abi_version')} is missing)`
  return { moduleVersion, electronVersion: pkg.version, abi: pkg.abi, platform, arch }
}

/** Finds, or fetches, the Electron binary and its SQLite binding; says in one line why the window cannot open. */
export async function planDesktopLaunch(options: LaunchOptions): Promise<LaunchPlan> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const arch = options.arch ?? process.arch
  const limits = options.limits ?? defaultFetchLimits
  const allowFetch = options.allowFetch ?? env.WORKBENCH_OFFLINE !== '1'
  const notFetched = options.allowFetch === false ? 'not fetched by this command' : 'not fetched: WORKBENCH_OFFLINE=1'
  const pkgDir = join(options.repoRoot, 'node_modules', 'electron')
  const noDisplay = options.prepareOnly ? undefined : displayProblem(platform, env)

  let binary = locateElectronBinary(pkgDir, env, platform)
  if (!binary.ok) {
    // No window could open anyway: do not download ~100 MB for nothing.
    if (noDisplay) return { kind: 'browser', reason: `${binary.reason}, and ${noDisplay}` }
    if (!binary.pkg) return { kind: 'browser', reason: binary.reason }
    if (!allowFetch) return { kind: 'browser', reason: `${binary.reason} (${notFetched})` }
    const fetched: FetchOutcome = await (options.fetchElectron ?? fetchElectronBinary)({ pkgDir, version: binary.pkg.version, timeoutMs: limits.electron, run: options.run, progress: options.progress })
    if (!fetched.ok) return { kind: 'browser', reason: `${binary.reason} and could not be fetched: ${fetched.reason}` }
    binary = locateElectronBinary(pkgDir, env, platform)
    if (!binary.ok) return { kind: 'browser', reason: `the Electron installer ended but ${binary.reason}` }
  }

  const target = bindingTarget(options.repoRoot, binary.pkg, platform, arch)
  if (typeof target === 'string') return { kind: 'browser', reason: target }
  const dir = bindingDir(options.repoRoot, target)
  let check = checkBinding(dir, target)
  if (!check.ok || options.rebuild) {
    if (!allowFetch) return { kind: 'browser', reason: check.ok ? `a rebuild needs fetching (${notFetched})` : `${check.reason} (${notFetched})` }
    const obtained: ObtainOutcome = await (options.obtainBinding ?? obtainSqliteBinding)({
      repoRoot: options.repoRoot,
      target,
      downloadTimeoutMs: limits.bindingDownload,
      compileTimeoutMs: limits.bindingCompile,
      run: options.run,
      progress: options.progress,
      env,
    })
    if (!obtained.ok) return { kind: 'browser', reason: `the Electron build of better-sqlite3 could not be obtained (${check.file}): ${obtained.reason}` }
    check = checkBinding(dir, target)
    if (!check.ok) return { kind: 'browser', reason: check.reason }
  }
  if (noDisplay) return { kind: 'browser', reason: noDisplay }
  return { kind: 'electron', executable: binary.executable, binding: check.file }
}
