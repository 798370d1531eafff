// The Electron-ABI build of better-sqlite3: where it lives, what its manifest records, and whether the file
// there is the one that was built. better-sqlite3 uses V8 directly (not N-API), so the copy `npm ci` compiled
// for Node (kept where the CLI and browser mode load it) cannot load in Electron, and this one cannot load in
// Node. The two live side by side; the Electron main process loads this one through `nativeBinding`.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The binding file's name, as better-sqlite3's own build names it. */
export const sqliteBindingFile = 'better_sqlite3.node'

/** The command that fetches or rebuilds the Electron binary and this binding (package.json script). */
export const rebuildCommand = 'npm run desktop:prepare -- --rebuild'

/** What a binding is built for: one folder per combination, so upgrades never load a stale one. */
export interface BindingTarget {
  /** better-sqlite3's version (its JavaScript and its addon must match). */
  moduleVersion: string
  electronVersion: string
  /** Electron's NODE_MODULE_VERSION. */
  abi: string
  platform: NodeJS.Platform
  arch: string
}

/** Recorded beside the binding when it is obtained; checked before Electron is started. */
export interface BindingManifest extends BindingTarget {
  /** How it was obtained: a downloaded prebuilt, or compiled here against Electron's headers. */
  source: 'prebuilt' | 'compiled'
  sha256: string
}

/** The folder that holds the Electron-ABI bindings: under node_modules, so `npm ci` clears it with the binary. */
export function electronNativeRoot(repoRoot: string): string {
  return join(repoRoot, 'node_modules', '.workbench-electron')
}

/** The folder of one target's binding. */
export function bindingDir(repoRoot: string, target: BindingTarget): string {
  const key = `better-sqlite3-${target.moduleVersion}-electron-v${target.abi}-${target.platform}-${target.arch}`
  return join(electronNativeRoot(repoRoot), key)
}

/** SHA-256 of a file, hex. */
export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** Magic numbers of the three shared-library formats a .node file can be; anything else is not a binding. */
export function looksLikeSharedLibrary(head: Uint8Array): boolean {
  const elf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
  const pe = head[0] === 0x4d && head[1] === 0x5a
  const word = head.length >= 4 ? ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0 : 0
  const machO = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(word)
  return elf || pe || machO
}

/** A usable binding, or the reason it is not, naming the file and the command that rebuilds it. */
export type BindingCheck = { ok: true; file: string; manifest: BindingManifest } | { ok: false; file: string; problem: 'missing' | 'corrupt' | 'wrong-target'; reason: string }

/** Checks the binding in `dir` against `target` without loading it (plain Node cannot load an Electron build). */
export function checkBinding(dir: string, target: BindingTarget): BindingCheck {
  const file = join(dir, sqliteBindingFile)
  const manifestFile = join(dir, 'manifest.json')
  const fail = (problem: 'missing' | 'corrupt' | 'wrong-target', what: string): BindingCheck => ({
    ok: false,
    file,
    problem,
    reason: `${what}; run \`${rebuildCommand}\``,
  })
  if (!existsSync(file)) return fail('missing', `the Electron build of better-sqlite3 is missing (${file})`)
  let manifest: BindingManifest
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BindingManifest
  } catch {
    return fail('corrupt', `the Electron build of better-sqlite3 has no readable manifest (${manifestFile})`)
  }
  const head = readFileSync(file).subarray(0, 4)
  if (!looksLikeSharedLibrary(head) || sha256File(file) !== manifest.sha256) {
    return fail('corrupt', `the Electron build of better-sqlite3 is corrupt (${file} does not match its manifest)`)
  }
  const mismatch = (Object.keys(target) as (keyof BindingTarget)[]).find((key) => manifest[key] !== target[key])
  if (mismatch) {
    return fail('wrong-target', `the Electron build of better-sqlite3 (${file}) was built for ${mismatch} ${String(manifest[mismatch])}, not ${target[mismatch]}`)
  }
  return { ok: true, file, manifest }
}
