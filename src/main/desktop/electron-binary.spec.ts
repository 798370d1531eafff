import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { locateElectronBinary, platformExecutable, readElectronPackage } from './electron-binary'

/** A node_modules/electron as npm leaves it (no dist/), optionally with an installed binary. */
function fakeElectronPackage(options: { binary?: boolean; distVersion?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'electron-pkg-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }))
  writeFileSync(join(dir, 'abi_version'), '150\n')
  if (options.binary) {
    mkdirSync(join(dir, 'dist'))
    writeFileSync(join(dir, 'dist', 'electron'), '')
    writeFileSync(join(dir, 'dist', 'version'), options.distVersion ?? 'v45.5.0')
    writeFileSync(join(dir, 'path.txt'), 'electron')
  }
  return dir
}

describe('locateElectronBinary', () => {
  it('names the missing binary when npm installed only the package', () => {
    const dir = fakeElectronPackage()
    const found = locateElectronBinary(dir, {}, 'linux')
    expect(found.ok).toBe(false)
    if (!found.ok) {
      expect(found.reason).toBe(`the Electron 45.5.0 binary is missing (${join(dir, 'dist', 'electron')})`)
      expect(found.pkg).toEqual({ dir, version: '45.5.0', abi: '150' })
    }
  })

  it('finds an installed binary', () => {
    const dir = fakeElectronPackage({ binary: true })
    expect(locateElectronBinary(dir, {}, 'linux')).toMatchObject({ ok: true, executable: join(dir, 'dist', 'electron') })
  })

  it('treats a binary of another version as missing', () => {
    const dir = fakeElectronPackage({ binary: true, distVersion: 'v44.0.0' })
    const found = locateElectronBinary(dir, {}, 'linux')
    expect(found).toMatchObject({ ok: false })
    if (!found.ok) expect(found.reason).toContain('is version 44.0.0, not 45.5.0')
  })

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does', () => {
    const dir = fakeElectronPackage()
    const override = mkdtempSync(join(tmpdir(), 'electron-dist-'))
    writeFileSync(join(override, 'electron'), '')
    expect(locateElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: override }, 'linux')).toMatchObject({ ok: true, executable: join(override, 'electron') })
  })

  it('says when the package itself is not installed', () => {
    const found = locateElectronBinary(join(tmpdir(), 'no-such-electron'), {}, 'linux')
    expect(found).toMatchObject({ ok: false })
    if (!found.ok) expect(found.reason).toMatch(/electron package is not installed.*npm ci/)
    expect(readElectronPackage(join(tmpdir(), 'no-such-electron'))).toBeUndefined()
  })

  it('names the executable of each platform', () => {
    expect(platformExecutable('darwin')).toBe('Electron.app/Contents/MacOS/Electron')
    expect(platformExecutable('win32')).toBe('electron.exe')
    expect(platformExecutable('linux')).toBe('electron')
  })
})
