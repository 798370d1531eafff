// What `npm run dist` would package, computed from package.json's electron-builder config without electron-builder:
// which app files go into the asar, which of them are unpacked beside it, and which extra resources are copied.
// The dist spec checks it against the built tree, so the config is tested even where installers cannot be made.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { expandMacros, selectedBy } from './glob-pattern'

/** The part of package.json's "build" section this plan reads. */
export interface BuilderConfig {
  files: string[]
  asarUnpack: string[]
  extraResources: { from: string; to: string }[]
  linux?: { target: string[] }
  mac?: { target: string[] }
  win?: { target: string[] }
  npmRebuild?: boolean
}

/** Reads the electron-builder config from package.json. */
export function readBuilderConfig(repoRoot: string): BuilderConfig {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { build?: BuilderConfig }
  if (!pkg.build) throw new Error('package.json has no "build" section (electron-builder config)')
  return pkg.build
}

/** electron-builder's name of a platform's section. */
export type BuilderPlatform = 'linux' | 'mac' | 'win'

/** The Node platform name electron-builder's ${platform} macro stands for when building for `platform`. */
const nodePlatform: Record<BuilderPlatform, NodeJS.Platform> = { linux: 'linux', mac: 'darwin', win: 'win32' }

/**
 * The file patterns for one platform: production node_modules (which electron-builder always adds), then the
 * config's, macros expanded. (Platform sections carry no `files` of their own: electron-builder would then treat the
 * top-level list as a separate file set and fall back to packing the whole project.)
 */
export function platformPatterns(config: BuilderConfig, platform: BuilderPlatform): string[] {
  return ['node_modules/**', ...config.files].map((p) => expandMacros(p, nodePlatform[platform]))
}

/** Every file below `dir`, as '/'-separated paths relative to `root`. */
export function listFiles(root: string, dir: string): string[] {
  const start = join(root, dir)
  if (!existsSync(start)) return []
  const out: string[] = []
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name)
      if (statSync(full).isDirectory()) walk(full)
      else out.push(relative(root, full).split(sep).join('/'))
    }
  }
  walk(start)
  return out.sort()
}

/** One file's fate in the package. */
export interface PackagedFile {
  path: string
  /** Left beside the asar (app.asar.unpacked) because the OS loader or a worker must open it as a real file. */
  unpacked: boolean
}

/** The files of `candidates` the app would hold on `platform`, each marked packed or unpacked. */
export function planAppFiles(config: BuilderConfig, platform: BuilderPlatform, candidates: readonly string[]): PackagedFile[] {
  const patterns = platformPatterns(config, platform)
  return candidates.filter((path) => selectedBy(path, patterns)).map((path) => ({ path, unpacked: selectedBy(path, config.asarUnpack) }))
}
