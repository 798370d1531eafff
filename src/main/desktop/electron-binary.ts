// Where the Electron executable of node_modules/electron is, or why there is none. Read from the files the
// electron package's own installer writes (dist/, path.txt, dist/version), never through `require('electron')`,
// which starts a download when the binary is missing.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The electron package as installed: its folder, version and the ABI (NODE_MODULE_VERSION) of its Node. */
export interface ElectronPackage {
  dir: string
  version: string
  /** From node_modules/electron/abi_version; native modules that use V8 directly must be built for it. */
  abi: string
}

/** The Electron executable, or the one-line reason it cannot be used, naming the file that is missing. */
export type ElectronBinary = { ok: true; executable: string; pkg: ElectronPackage } | { ok: false; reason: string; pkg?: ElectronPackage }

/** Reads node_modules/electron's version and ABI; undefined when the package is not installed. */
export function readElectronPackage(pkgDir: string): ElectronPackage | undefined {
  const manifest = join(pkgDir, 'package.json')
  if (!existsSync(manifest)) return undefined
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }
  const abiFile = join(pkgDir, 'abi_version')
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : ''
  return { dir: pkgDir, version: typeof version === 'string' ? version : '', abi }
}

/** The executable's path inside dist/ on each platform, as the electron package's installer names it. */
export function platformExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron'
  if (platform === 'win32') return 'electron.exe'
  return 'electron'
}

/**
 * Finds the Electron binary of `pkgDir` (node_modules/electron). ELECTRON_OVERRIDE_DIST_PATH is honoured as the
 * electron package itself does. A dist/ of another version (left by an upgrade) counts as missing.
 */
export function locateElectronBinary(pkgDir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  const pkg = readElectronPackage(pkgDir)
  if (!pkg) return { ok: false, reason: `the electron package is not installed (${join(pkgDir, 'package.json')} is missing; run npm ci)` }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH
  const pathFile = join(pkgDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : platformExecutable(platform)
  const executable = join(override || join(pkgDir, 'dist'), relative)
  if (!existsSync(executable)) return { ok: false, pkg, reason: `the Electron ${pkg.version} binary is missing (${executable})` }
  if (!override) {
    const versionFile = join(pkgDir, 'dist', 'version')
    const installed = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') : ''
    if (installed !== pkg.version) {
      return { ok: false, pkg, reason: `the Electron binary in ${join(pkgDir, 'dist')} is version ${installed || 'unknown'}, not ${pkg.version}` }
    }
  }
  return { ok: true, executable, pkg }
}
