import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bindingDir, checkBinding, electronNativeRoot, looksLikeSharedLibrary, rebuildCommand } from './sqlite-binding'
import { fakeRepo, fakeTarget, installFakeBinding } from './test-fixtures'

describe('checkBinding', () => {
  it('keeps one folder per module version, Electron ABI, platform and arch, apart from the Node build', () => {
    const root = fakeRepo()
    expect(bindingDir(root, fakeTarget)).toBe(join(electronNativeRoot(root), 'better-sqlite3-12.11.1-electron-v150-linux-x64'))
    expect(bindingDir(root, fakeTarget)).not.toContain(join('node_modules', 'better-sqlite3', 'build'))
  })

  it('accepts the file its manifest describes', () => {
    const root = fakeRepo()
    const file = installFakeBinding(root)
    expect(checkBinding(bindingDir(root, fakeTarget), fakeTarget)).toMatchObject({ ok: true, file, manifest: { source: 'prebuilt' } })
  })

  it('names the missing file and the command that fetches it', () => {
    const root = fakeRepo()
    const check = checkBinding(bindingDir(root, fakeTarget), fakeTarget)
    expect(check).toMatchObject({ ok: false, problem: 'missing' })
    if (!check.ok) {
      expect(check.reason).toContain(check.file)
      expect(check.reason).toContain(rebuildCommand)
    }
  })

  it('finds a corrupt file: changed after it was obtained, or not a library at all', () => {
    const root = fakeRepo()
    const file = installFakeBinding(root)
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 9, 9]))
    expect(checkBinding(bindingDir(root, fakeTarget), fakeTarget)).toMatchObject({ ok: false, problem: 'corrupt' })
    installFakeBinding(root, fakeTarget, Buffer.from('<html>404</html>'))
    const check = checkBinding(bindingDir(root, fakeTarget), fakeTarget)
    expect(check).toMatchObject({ ok: false, problem: 'corrupt' })
    if (!check.ok) expect(check.reason).toContain(`${file} does not match its manifest`)
  })

  it('finds a binding built for another ABI', () => {
    const root = fakeRepo()
    installFakeBinding(root, fakeTarget, undefined, { abi: '115' })
    const check = checkBinding(bindingDir(root, fakeTarget), fakeTarget)
    expect(check).toMatchObject({ ok: false, problem: 'wrong-target' })
    if (!check.ok) expect(check.reason).toContain('built for abi 115, not 150')
  })

  it('recognises ELF, Mach-O and PE headers', () => {
    expect(looksLikeSharedLibrary(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toBe(true)
    expect(looksLikeSharedLibrary(Buffer.from([0xcf, 0xfa, 0xed, 0xfe]))).toBe(true)
    expect(looksLikeSharedLibrary(Buffer.from([0x4d, 0x5a, 0x90, 0x00]))).toBe(true)
    expect(looksLikeSharedLibrary(Buffer.from('PK\x03\x04'))).toBe(false)
    expect(looksLikeSharedLibrary(Buffer.alloc(0))).toBe(false)
  })
})
