import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder name used under the user's config dir; Electron's userData dir has the same name. */
export const appFolderName = 'sparse-annotation-workbench'

/** The user's config dir, as Electron's app.getPath('appData') finds it on each platform. */
export function userConfigDir(): string {
  if (process.platform === 'win32') return process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support')
  return process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config')
}

/** The store path: the explicit one, else WORKBENCH_DB, else workbench.db under the user's config dir. */
export function resolveDbPath(explicit?: string): string {
  if (explicit) return explicit === ':memory:' ? explicit : resolve(explicit)
  if (process.env.WORKBENCH_DB) return resolve(process.env.WORKBENCH_DB)
  return join(userConfigDir(), appFolderName, 'workbench.db')
}

/** The workspace for written files: the explicit one, else WORKBENCH_HOME, else workspace/ under the config dir. */
export function resolveWorkspace(explicit?: string): string {
  if (explicit) return resolve(explicit)
  if (process.env.WORKBENCH_HOME) return resolve(process.env.WORKBENCH_HOME)
  return join(userConfigDir(), appFolderName, 'workspace')
}

/**
 * The project's resources/ folder. Found by walking up from this module, because it sits at different
 * depths when run from source (src/main/app) and when bundled (out/main).
 */
export function resourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources')
    if (existsSync(join(candidate, 'sample-data'))) return candidate
    dir = dirname(dir)
  }
  throw new Error('cannot find the resources/ folder with the sample data')
}

/** The bundled sample dataset folder. */
export function sampleDataDir(): string {
  return join(resourcesDir(), 'sample-data')
}
