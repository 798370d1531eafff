// Fixtures of the desktop specs: a throw-away repository root with the packages the desktop launch reads.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bindingDir, sha256File, sqliteBindingFile, type BindingManifest, type BindingTarget } from './sqlite-binding'

/** Bytes that pass the shared-library check (an ELF header) without being a loadable library. */
export const fakeLibrary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 1, 2, 3, 4])

/** A progress stream that discards everything. */
export const quietProgress = { isTTY: false, write: (): boolean => true }

/** The target of the fake repository's binding. */
export const fakeTarget: BindingTarget = { moduleVersion: '12.11.1', electronVersion: '45.5.0', abi: '150', platform: 'linux', arch: 'x64' }

/** A repository root with node_modules/electron (no binary unless asked) and node_modules/better-sqlite3 sources plus its Node build. */
export function fakeRepo(options: { electronBinary?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'workbench-repo-'))
  const electron = join(root, 'node_modules', 'electron')
  mkdirSync(electron, { recursive: true })
  writeFileSync(join(electron, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }))
  writeFileSync(join(electron, 'abi_version'), '150')
  if (options.electronBinary) installFakeElectron(root)
  const sqlite = join(root, 'node_modules', 'better-sqlite3')
  mkdirSync(join(sqlite, 'src'), { recursive: true })
  mkdirSync(join(sqlite, 'build', 'Release'), { recursive: true })
  writeFileSync(join(sqlite, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }))
  writeFileSync(join(sqlite, 'binding.gyp'), '{}')
  writeFileSync(join(sqlite, 'src', 'better_sqlite3.cpp'), '// sources')
  writeFileSync(join(sqlite, 'build', 'Release', sqliteBindingFile), 'the Node build')
  return root
}

/** Puts an Electron "binary" where the electron package's installer would. */
export function installFakeElectron(root: string): string {
  const dist = join(root, 'node_modules', 'electron', 'dist')
  mkdirSync(dist, { recursive: true })
  writeFileSync(join(dist, 'electron'), '')
  writeFileSync(join(dist, 'version'), 'v45.5.0')
  writeFileSync(join(root, 'node_modules', 'electron', 'path.txt'), 'electron')
  return join(dist, 'electron')
}

/** Installs a binding for `target` as obtainSqliteBinding would, with `bytes` and a manifest (optionally lying). */
export function installFakeBinding(root: string, target: BindingTarget = fakeTarget, bytes: Buffer = fakeLibrary, manifestOverrides: Partial<BindingManifest> = {}): string {
  const dir = bindingDir(root, target)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, sqliteBindingFile)
  writeFileSync(file, bytes)
  const manifest: BindingManifest = { ...target, source: 'prebuilt', sha256: sha256File(file), ...manifestOverrides }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  return file
}
