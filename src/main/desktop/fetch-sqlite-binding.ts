// Obtains better-sqlite3 built for Electron's ABI into a folder of its own (sqlite-binding.ts), leaving the Node
// build in node_modules/better-sqlite3 untouched for the CLI and browser mode. First a prebuilt for Electron
// (prebuild-install, which better-sqlite3 itself uses); else a compile against Electron's headers with
// node-gyp (what @electron/rebuild does). Each step is bounded in time and any failure is one line.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { explainDownloadFailure, isNetworkFailure } from './fetch-electron'
import { startProgressLine, type ProgressStream } from './progress-line'
import { lastMeaningfulLine, runBounded, type CommandRunner, type RunOutcome } from './run-bounded'
import { bindingDir, sha256File, sqliteBindingFile, type BindingManifest, type BindingTarget } from './sqlite-binding'

/** Options of obtainSqliteBinding. */
export interface ObtainBindingOptions {
  repoRoot: string
  target: BindingTarget
  /** Limit for the prebuilt download. */
  downloadTimeoutMs: number
  /** Limit for a compile (headers download + C++ build of SQLite: minutes). */
  compileTimeoutMs: number
  run?: CommandRunner
  progress?: ProgressStream
  /** Where node-gyp is (undefined: none); findNodeGyp when left out. */
  locateNodeGyp?: () => string | undefined
  env?: NodeJS.ProcessEnv
}

/** The outcome: the installed binding file, or why neither way worked. */
export type ObtainOutcome = { ok: true; file: string; source: BindingManifest['source'] } | { ok: false; reason: string }

/**
 * node-gyp's entry script: the project's own (electron-builder brings it), npm's `npm_config_node_gyp`, or the
 * copy bundled with npm beside the running Node.
 */
export function findNodeGyp(repoRoot: string, env: NodeJS.ProcessEnv = process.env, execPath: string = process.execPath): string | undefined {
  const candidates = [
    join(repoRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    env.npm_config_node_gyp,
    join(dirname(execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]
  return candidates.find((file): file is string => file !== undefined && file !== '' && existsSync(file))
}

/** Copies better-sqlite3's package (sources, no build/) to a scratch folder, so no step touches the Node build. */
export function stageModule(moduleDir: string): string {
  const staging = mkdtempSync(join(tmpdir(), 'workbench-sqlite-electron-'))
  cpSync(moduleDir, staging, {
    recursive: true,
    filter: (source) => {
      const rel = relative(moduleDir, source)
      return rel !== 'build' && !rel.startsWith(`build${sep}`) && rel !== 'node_modules' && !rel.startsWith(`node_modules${sep}`)
    },
  })
  return staging
}

/** Why the prebuilt download failed, in a few words. */
function downloadFailure(outcome: RunOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `the download did not finish within ${Math.round(timeoutMs / 1000)} s`
  if (outcome.startError) return `prebuild-install could not start: ${outcome.startError}`
  if (/No prebuilt binaries found/i.test(outcome.outputTail)) return 'none is published for this Electron and platform'
  return explainDownloadFailure(outcome.outputTail)
}

/** Why the compile failed, in a few words: its header download first, then the compiler's own last error. */
function compileFailure(outcome: RunOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `it did not finish within ${Math.round(timeoutMs / 1000)} s`
  if (outcome.startError) return `node-gyp could not start: ${outcome.startError}`
  if (isNetworkFailure(outcome.outputTail)) return "Electron's headers could not be downloaded: no network connection to the download server"
  return lastMeaningfulLine(outcome.outputTail) || `node-gyp ended with exit code ${outcome.code}`
}

/** Moves the built file into the target's folder (write, then rename: a half-copied binding is never left). */
function install(repoRoot: string, target: BindingTarget, built: string, source: BindingManifest['source']): string {
  const dir = bindingDir(repoRoot, target)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, sqliteBindingFile)
  copyFileSync(built, `${file}.partial`)
  renameSync(`${file}.partial`, file)
  const manifest: BindingManifest = { ...target, source, sha256: sha256File(file) }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return file
}

/** Downloads a prebuilt Electron binding, else compiles one; installs it where the desktop app looks for it. */
export async function obtainSqliteBinding(options: ObtainBindingOptions): Promise<ObtainOutcome> {
  const run = options.run ?? runBounded
  const { target, repoRoot } = options
  const moduleDir = join(repoRoot, 'node_modules', 'better-sqlite3')
  if (!existsSync(join(moduleDir, 'package.json'))) return { ok: false, reason: 'better-sqlite3 is not installed (run npm ci)' }
  const staging = stageModule(moduleDir)
  const built = join(staging, 'build', 'Release', sqliteBindingFile)
  // Neither tool may take npm's "build from source" or a Node target from the calling npm's environment.
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) }
  for (const key of Object.keys(env)) if (/^npm_config_(build_from_source|target|runtime|arch|disturl|dist_url)$/i.test(key)) delete env[key]
  const label = `workbench: fetching better-sqlite3 ${target.moduleVersion} for Electron ${target.electronVersion} (ABI ${target.abi})`
  try {
    const progress = startProgressLine(`${label}, prebuilt`, options.progress)
    const prebuildArgs = [join(repoRoot, 'node_modules', 'prebuild-install', 'bin.js'), '--runtime=electron', `--target=${target.electronVersion}`, `--arch=${target.arch}`, `--platform=${target.platform}`, '--verbose']
    const prebuilt = await run(process.execPath, prebuildArgs, { cwd: staging, timeoutMs: options.downloadTimeoutMs, env })
    if (prebuilt.code === 0 && !prebuilt.timedOut && existsSync(built)) {
      progress.done('done')
      return { ok: true, file: install(repoRoot, target, built, 'prebuilt'), source: 'prebuilt' }
    }
    const prebuiltWhy = downloadFailure(prebuilt, options.downloadTimeoutMs)
    progress.done('not available')

    const nodeGyp = options.locateNodeGyp ? options.locateNodeGyp() : findNodeGyp(repoRoot, env)
    if (!nodeGyp) return { ok: false, reason: `no prebuilt (${prebuiltWhy}) and node-gyp was not found to compile one` }
    const compile = startProgressLine(`${label}, compiling against Electron's headers`, options.progress)
    const gypArgs = [nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${target.electronVersion}`, `--arch=${target.arch}`, '--dist-url=https://electronjs.org/headers', `--devdir=${join(homedir(), '.electron-gyp')}`]
    const compiled = await run(process.execPath, gypArgs, { cwd: staging, timeoutMs: options.compileTimeoutMs, env })
    if (compiled.code === 0 && !compiled.timedOut && existsSync(built)) {
      compile.done('done')
      return { ok: true, file: install(repoRoot, target, built, 'compiled'), source: 'compiled' }
    }
    compile.done('failed')
    return { ok: false, reason: `no prebuilt (${prebuiltWhy}) and the compile failed (${compileFailure(compiled, options.compileTimeoutMs)})` }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/** better-sqlite3's installed version, read from its package.json. */
export function sqliteModuleVersion(repoRoot: string): string | undefined {
  const file = join(repoRoot, 'node_modules', 'better-sqlite3', 'package.json')
  if (!existsSync(file)) return undefined
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }
  return typeof version === 'string' ? version : undefined
}
