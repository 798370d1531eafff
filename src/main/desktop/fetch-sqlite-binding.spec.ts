import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findNodeGyp, obtainSqliteBinding, stageModule } from './fetch-sqlite-binding'
import type { CommandRunner, RunOutcome } from './run-bounded'
import { bindingDir, checkBinding, sqliteBindingFile } from './sqlite-binding'
import { fakeLibrary, fakeRepo, fakeTarget, quietProgress } from './test-fixtures'

type Step = 'prebuild' | 'gyp'

/** A runner that plays prebuild-install and node-gyp: each step either "builds" the file in its cwd or fails. */
function toolRunner(results: Partial<Record<Step, RunOutcome | 'build'>>, seen: { step: Step; args: readonly string[]; cwd: string }[] = []): CommandRunner {
  return async (_command, args, options) => {
    const step: Step = args[0]?.includes('prebuild-install') ? 'prebuild' : 'gyp'
    seen.push({ step, args, cwd: options.cwd })
    const result = results[step] ?? { code: 1, timedOut: false, outputTail: 'failed' }
    if (result !== 'build') return result
    mkdirSync(join(options.cwd, 'build', 'Release'), { recursive: true })
    writeFileSync(join(options.cwd, 'build', 'Release', sqliteBindingFile), fakeLibrary)
    return { code: 0, timedOut: false, outputTail: '' }
  }
}

const offline: RunOutcome = { code: 1, timedOut: false, outputTail: 'prebuild-install warn install getaddrinfo ENOTFOUND downloads.example' }
const gypOffline: RunOutcome = { code: 1, timedOut: false, outputTail: 'gyp ERR! stack is related to network connectivity.\ngyp ERR! not ok' }
const limits = { downloadTimeoutMs: 1000, compileTimeoutMs: 2000, progress: quietProgress, locateNodeGyp: () => '/fake/node-gyp.js' }

describe('obtainSqliteBinding', () => {
  it('installs a prebuilt for Electron into its own folder and leaves the Node build alone', async () => {
    const root = fakeRepo()
    const seen: { step: Step; args: readonly string[]; cwd: string }[] = []
    const outcome = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: 'build' }, seen), ...limits })
    expect(outcome).toEqual({ ok: true, file: join(bindingDir(root, fakeTarget), sqliteBindingFile), source: 'prebuilt' })
    expect(seen.map((s) => s.step)).toEqual(['prebuild'])
    expect(seen[0]!.args).toEqual(expect.arrayContaining(['--runtime=electron', '--target=45.5.0', '--arch=x64', '--platform=linux']))
    expect(seen[0]!.cwd).not.toBe(join(root, 'node_modules', 'better-sqlite3'))
    expect(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', sqliteBindingFile), 'utf8')).toBe('the Node build')
    expect(checkBinding(bindingDir(root, fakeTarget), fakeTarget)).toMatchObject({ ok: true, manifest: { source: 'prebuilt', abi: '150' } })
    expect(existsSync(seen[0]!.cwd)).toBe(false)
  })

  it("compiles against Electron's headers when no prebuilt can be downloaded", async () => {
    const root = fakeRepo()
    const seen: { step: Step; args: readonly string[]; cwd: string }[] = []
    const outcome = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: offline, gyp: 'build' }, seen), ...limits })
    expect(outcome).toMatchObject({ ok: true, source: 'compiled' })
    expect(seen.map((s) => s.step)).toEqual(['prebuild', 'gyp'])
    expect(seen[1]!.args).toEqual(expect.arrayContaining(['/fake/node-gyp.js', 'rebuild', '--runtime=electron', '--target=45.5.0', '--dist-url=https://electronjs.org/headers']))
  })

  it('says in one line why neither way worked (no network here)', async () => {
    const root = fakeRepo()
    const outcome = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: offline, gyp: gypOffline }), ...limits })
    expect(outcome).toEqual({
      ok: false,
      reason:
        "no prebuilt (no network connection to the download server) and the compile failed (Electron's headers could not be downloaded: no network connection to the download server)",
    })
    expect(existsSync(bindingDir(root, fakeTarget))).toBe(false)
  })

  it('bounds each step in time and reports which one ran out', async () => {
    const root = fakeRepo()
    const timedOut: RunOutcome = { code: null, timedOut: true, outputTail: '' }
    const outcome = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: timedOut, gyp: timedOut }), ...limits })
    expect(outcome).toEqual({ ok: false, reason: 'no prebuilt (the download did not finish within 1 s) and the compile failed (it did not finish within 2 s)' })
  })

  it('reports a missing node-gyp and a compiler error', async () => {
    const root = fakeRepo()
    const noGyp = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: offline }), ...limits, locateNodeGyp: () => undefined })
    expect(noGyp).toEqual({ ok: false, reason: 'no prebuilt (no network connection to the download server) and node-gyp was not found to compile one' })
    const compilerError: RunOutcome = { code: 1, timedOut: false, outputTail: "../src/better_sqlite3.cpp:1:10: fatal error: node.h: No such file or directory\ngyp ERR! not ok" }
    const outcome = await obtainSqliteBinding({ repoRoot: root, target: fakeTarget, run: toolRunner({ prebuild: offline, gyp: compilerError }), ...limits })
    expect(outcome).toMatchObject({ ok: false })
    if (!outcome.ok) expect(outcome.reason).toContain('fatal error: node.h: No such file or directory')
  })

  it('stages the sources without the Node build', () => {
    const root = fakeRepo()
    const staging = stageModule(join(root, 'node_modules', 'better-sqlite3'))
    expect(existsSync(join(staging, 'binding.gyp'))).toBe(true)
    expect(existsSync(join(staging, 'src', 'better_sqlite3.cpp'))).toBe(true)
    expect(existsSync(join(staging, 'build'))).toBe(false)
  })

  it('finds node-gyp from the project, from npm, or beside Node', () => {
    const root = fakeRepo()
    expect(findNodeGyp(root, {}, '/nowhere/bin/node')).toBeUndefined()
    const npmGyp = join(root, 'npm-node-gyp.js')
    writeFileSync(npmGyp, '')
    expect(findNodeGyp(root, { npm_config_node_gyp: npmGyp }, '/nowhere/bin/node')).toBe(npmGyp)
    mkdirSync(join(root, 'node_modules', 'node-gyp', 'bin'), { recursive: true })
    writeFileSync(join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), '')
    expect(findNodeGyp(root, { npm_config_node_gyp: npmGyp })).toBe(join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  })
})
