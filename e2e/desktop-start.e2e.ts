// `npm start` (src/main/cli/start.mjs) end to end where no real Electron can run: it must end in browser mode with a
// one-line reason, both when the Electron binary is missing and when the app exits because its SQLite binding is
// unusable (played here by a stand-in executable that exits as the app does). The real window: test:desktop.
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { locateElectronBinary, readElectronPackage } from '../src/main/desktop/electron-binary'
import { sqliteModuleVersion } from '../src/main/desktop/fetch-sqlite-binding'
import { bindingUnusableExitCode } from '../src/main/desktop/main-binding'
import { bindingDir } from '../src/main/desktop/sqlite-binding'
import { fakeLibrary, installFakeBinding } from '../src/main/desktop/test-fixtures'
import { repoRoot } from './support'

/** A `node start.mjs` that ended up serving browser mode. */
interface Started {
  url: string
  token: string
  stderr: string
  stop(): Promise<void>
}

/** Runs `node start.mjs` until browser mode prints its JSON line. */
async function startUntilServing(env: NodeJS.ProcessEnv): Promise<Started> {
  const store = mkdtempSync(join(tmpdir(), 'wb-start-'))
  const args = [join(repoRoot, 'src', 'main', 'cli', 'start.mjs'), '--port', '0', '--json', '--db', join(store, 'w.db'), '--workspace', join(store, 'ws')]
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    child.kill('SIGTERM')
    await exited
  }
  try {
    const line = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no JSON line within 100 s; stderr:\n${stderr}`)), 100_000)
      child.on('exit', (code) => fail(new Error(`start.mjs exited (${code}) before serving; stderr:\n${stderr}`)))
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (!l.trim().startsWith('{')) return
        clearTimeout(timer)
        done(l.trim())
      })
    })
    const { url, token } = JSON.parse(line) as { url: string; token: string }
    return { url, token, stderr, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

const reasonLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('workbench: '))
const realBinary = locateElectronBinary(join(repoRoot, 'node_modules', 'electron'))

describe.skipIf(process.platform === 'win32')('npm start without a usable Electron', () => {
  it.skipIf(realBinary.ok)('serves browser mode with one line naming the missing Electron binary', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, WORKBENCH_OFFLINE: '1' }
    delete env.DISPLAY
    delete env.WAYLAND_DISPLAY
    const run = await startUntilServing(env)
    await run.stop()
    const lines = reasonLines(run.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^workbench: cannot open the desktop window: the Electron [\d.]+ binary is missing \(.*node_modules\/electron\/dist\/electron\).*; falling back to browser mode \(workbench serve\)\.$/)
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
  })

  it('falls back to browser mode when the app exits because its SQLite binding is unusable', async () => {
    const pkg = readElectronPackage(join(repoRoot, 'node_modules', 'electron'))!
    const target = { moduleVersion: sqliteModuleVersion(repoRoot)!, electronVersion: pkg.version, abi: pkg.abi, platform: process.platform, arch: process.arch }
    const dir = bindingDir(repoRoot, target)
    // Never overwrite a real Electron build a workstation has fetched.
    if (existsSync(dir)) return
    const fakeDist = mkdtempSync(join(tmpdir(), 'wb-fake-electron-'))
    const fakeElectron = join(fakeDist, 'electron')
    writeFileSync(fakeElectron, `#!/bin/sh\necho "workbench: the SQLite binding $WORKBENCH_SQLITE_BINDING is corrupt (stand-in)" >&2\nexit ${bindingUnusableExitCode}\n`)
    chmodSync(fakeElectron, 0o755)
    try {
      const binding = installFakeBinding(repoRoot, target, fakeLibrary)
      const run = await startUntilServing({ ...process.env, DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: fakeDist, WORKBENCH_OFFLINE: '1' })
      const info = await fetch(new URL('/api/app:info', run.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-workbench-token': run.token }, body: '{}' })
      await run.stop()
      expect(await info.json()).toMatchObject({ transport: 'http' })
      expect(reasonLines(run.stderr)).toEqual([
        `workbench: the SQLite binding ${binding} is corrupt (stand-in)`,
        'workbench: the desktop app could not load its SQLite binding; falling back to browser mode (workbench serve).',
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(fakeDist, { recursive: true, force: true })
    }
  })
})
