import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkoutRoot, describeBindingLoadError, installedSqliteVersion, mainBindingPath, sqliteBindingEnv, tryBinding, type MainRuntime } from './main-binding'
import { bindingDir, rebuildCommand } from './sqlite-binding'

/** The Node build `npm ci` compiled: a real, loadable binding for this process. */
const nodeBuild = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node')

const runtime: MainRuntime = {
  isPackaged: false,
  resourcesPath: '/opt/Workbench/resources',
  repoRoot: '/src/workbench',
  env: {},
  electronVersion: '45.5.0',
  abi: '150',
  platform: 'linux',
  arch: 'x64',
}

describe('mainBindingPath', () => {
  it('takes the path npm start passed, else the packaged resources copy, else the checkout build', () => {
    expect(mainBindingPath({ ...runtime, env: { [sqliteBindingEnv]: '/x/b.node' } }, () => '12.11.1')).toBe('/x/b.node')
    expect(mainBindingPath({ ...runtime, isPackaged: true }, () => '12.11.1')).toBe('/opt/Workbench/resources/native/better_sqlite3.node')
    const target = { moduleVersion: '12.11.1', electronVersion: '45.5.0', abi: '150', platform: 'linux' as const, arch: 'x64' }
    expect(mainBindingPath(runtime, () => '12.11.1')).toBe(join(bindingDir('/src/workbench', target), 'better_sqlite3.node'))
  })

  it('finds the checkout from a module of out/main and reads the installed module version', () => {
    expect(checkoutRoot('/src/workbench/out/main/index.js')).toBe('/src/workbench')
    expect(installedSqliteVersion(import.meta.url)).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('tryBinding', () => {
  it('loads a good binding', () => {
    expect(tryBinding(nodeBuild, false)).toEqual({ ok: true })
  })

  it('names a corrupt file and the rebuild command', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'binding-')), 'better_sqlite3.node')
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
    const trial = tryBinding(file, false)
    expect(trial).toMatchObject({ ok: false })
    if (!trial.ok) {
      expect(trial.message).toContain(file)
      expect(trial.message).toContain(rebuildCommand)
      expect(trial.message).toMatch(/is corrupt|could not be loaded/)
    }
  })

  it('names a missing file', () => {
    const trial = tryBinding('/nowhere/better_sqlite3.node', true)
    expect(trial).toEqual({ ok: false, message: 'the SQLite binding /nowhere/better_sqlite3.node is missing; reinstall the app (its native/ folder is damaged)' })
  })
})

describe('describeBindingLoadError', () => {
  it("recognises Node's wrong-ABI message", () => {
    const message =
      "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 150."
    expect(describeBindingLoadError('/x/better_sqlite3.node', message, false)).toBe(
      `the SQLite binding /x/better_sqlite3.node was built for another Node/Electron ABI; run \`${rebuildCommand}\``,
    )
    expect(describeBindingLoadError('/x/b.node', '/x/b.node: invalid ELF header', false)).toContain('is corrupt')
    expect(describeBindingLoadError('/x/b.node', 'something new\nsecond line', false)).toContain('could not be loaded (something new)')
  })
})
