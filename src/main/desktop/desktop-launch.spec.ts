import { describe, expect, it, vi } from 'vitest'
import { join } from 'node:path'
import { displayProblem, planDesktopLaunch, type LaunchOptions } from './desktop-launch'
import type { ObtainBindingOptions } from './fetch-sqlite-binding'
import { bindingDir, sqliteBindingFile } from './sqlite-binding'
import { fakeRepo, fakeTarget, installFakeBinding, installFakeElectron, quietProgress } from './test-fixtures'

const display = { DISPLAY: ':0' }

/** Launch options over a fake repository whose fetchers must be given explicitly (none touches the network). */
function options(repoRoot: string, extra: Partial<LaunchOptions> = {}): LaunchOptions {
  return {
    repoRoot,
    env: display,
    platform: 'linux',
    arch: 'x64',
    progress: quietProgress,
    fetchElectron: vi.fn(async () => ({ ok: false as const, reason: 'no network connection to the download server' })),
    obtainBinding: vi.fn(async () => ({ ok: false as const, reason: 'no prebuilt (no network connection to the download server) and node-gyp was not found to compile one' })),
    ...extra,
  }
}

describe('planDesktopLaunch', () => {
  it('falls back to browser mode naming the missing binary when it cannot be fetched (this machine)', async () => {
    const root = fakeRepo()
    const plan = await planDesktopLaunch(options(root))
    expect(plan).toEqual({
      kind: 'browser',
      reason: `the Electron 45.5.0 binary is missing (${join(root, 'node_modules', 'electron', 'dist', 'electron')}) and could not be fetched: no network connection to the download server`,
    })
  })

  it('does not download Electron where no window could open, and still names the binary', async () => {
    const root = fakeRepo()
    const opts = options(root, { env: {} })
    const plan = await planDesktopLaunch(opts)
    expect(opts.fetchElectron).not.toHaveBeenCalled()
    expect(plan).toMatchObject({ kind: 'browser' })
    if (plan.kind === 'browser') expect(plan.reason).toMatch(/Electron 45\.5\.0 binary is missing .*, and there is no display/)
  })

  it('fetches the binary and the binding on a networked machine, then opens Electron with that binding', async () => {
    const root = fakeRepo()
    const opts = options(root, {
      fetchElectron: vi.fn(async () => {
        installFakeElectron(root)
        return { ok: true as const }
      }),
      obtainBinding: vi.fn(async (o: ObtainBindingOptions) => ({ ok: true as const, file: installFakeBinding(root, o.target), source: 'prebuilt' as const })),
    })
    const plan = await planDesktopLaunch(opts)
    expect(plan).toEqual({ kind: 'electron', executable: join(root, 'node_modules', 'electron', 'dist', 'electron'), binding: join(bindingDir(root, fakeTarget), sqliteBindingFile) })
    expect(opts.obtainBinding).toHaveBeenCalledWith(expect.objectContaining({ target: fakeTarget }))
  })

  it('falls back naming the binding file when the Electron build of better-sqlite3 cannot be had', async () => {
    const root = fakeRepo({ electronBinary: true })
    const plan = await planDesktopLaunch(options(root))
    expect(plan).toMatchObject({ kind: 'browser' })
    if (plan.kind === 'browser') {
      expect(plan.reason).toContain(join(bindingDir(root, fakeTarget), sqliteBindingFile))
      expect(plan.reason).toContain('node-gyp was not found')
    }
  })

  it('obtains a corrupt binding again instead of starting Electron on it', async () => {
    const root = fakeRepo({ electronBinary: true })
    installFakeBinding(root, fakeTarget, Buffer.from('garbage'))
    const opts = options(root, { obtainBinding: vi.fn(async (o: ObtainBindingOptions) => ({ ok: true as const, file: installFakeBinding(root, o.target), source: 'compiled' as const })) })
    expect(await planDesktopLaunch(opts)).toMatchObject({ kind: 'electron' })
    expect(opts.obtainBinding).toHaveBeenCalledTimes(1)
  })

  it('uses what is there without fetching anything when both are present, and rebuilds on request', async () => {
    const root = fakeRepo({ electronBinary: true })
    installFakeBinding(root)
    const opts = options(root)
    expect(await planDesktopLaunch(opts)).toMatchObject({ kind: 'electron' })
    expect(opts.fetchElectron).not.toHaveBeenCalled()
    expect(opts.obtainBinding).not.toHaveBeenCalled()
    await planDesktopLaunch({ ...opts, rebuild: true })
    expect(opts.obtainBinding).toHaveBeenCalledTimes(1)
  })

  it('fetches nothing with WORKBENCH_OFFLINE=1', async () => {
    const root = fakeRepo()
    const opts = options(root, { env: { ...display, WORKBENCH_OFFLINE: '1' } })
    const plan = await planDesktopLaunch(opts)
    expect(opts.fetchElectron).not.toHaveBeenCalled()
    expect(plan).toMatchObject({ kind: 'browser' })
    if (plan.kind === 'browser') expect(plan.reason).toContain('not fetched: WORKBENCH_OFFLINE=1')
  })

  it('prepares without a display for desktop:prepare and dist, but opens no window without one', async () => {
    const root = fakeRepo({ electronBinary: true })
    installFakeBinding(root)
    expect(await planDesktopLaunch(options(root, { env: {}, prepareOnly: true }))).toMatchObject({ kind: 'electron' })
    expect(await planDesktopLaunch(options(root, { env: {} }))).toEqual({ kind: 'browser', reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' })
  })
})

describe('displayProblem', () => {
  it('needs X11 or Wayland on Linux only', () => {
    expect(displayProblem('linux', {})).toMatch(/no display/)
    expect(displayProblem('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeUndefined()
    expect(displayProblem('darwin', {})).toBeUndefined()
    expect(displayProblem('win32', {})).toBeUndefined()
  })
})
