// What `npm run dist` packages, checked by running electron-builder itself (`--linux dir`: the unpacked app, no
// installer tools) with a stand-in Electron distribution, since the real one cannot be downloaded here. The app's
// asar and what sits beside it are read back: the built bundles, the worker entries, the native addons and wasm
// files unpacked, the Electron build of better-sqlite3 in resources/native, the licenses, and no sources.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workerNames } from '../src/main/workers/worker-files'
import { repoRoot } from './support'

interface AsarEntry {
  files?: Record<string, AsarEntry>
  unpacked?: boolean
}

/** Every file path in an asar archive with whether it is unpacked, read from the archive's JSON header. */
function listAsar(file: string): Map<string, boolean> {
  const buffer = readFileSync(file)
  // Header layout: pickle(size) then pickle(pickle(string)); the JSON's length sits at byte 12, the JSON at 16.
  const json = buffer.toString('utf8', 16, 16 + buffer.readUInt32LE(12))
  const out = new Map<string, boolean>()
  const walk = (entry: AsarEntry, prefix: string): void => {
    for (const [name, child] of Object.entries(entry.files ?? {})) {
      const path = prefix ? `${prefix}/${name}` : name
      if (child.files) walk(child, path)
      else out.set(path, child.unpacked === true)
    }
  }
  walk(JSON.parse(json) as AsarEntry, '')
  return out
}

const built = existsSync(join(repoRoot, 'out', 'main', 'index.js'))

describe.skipIf(process.platform !== 'linux' || !built)('npm run dist: the packaged app (electron-builder --linux dir)', () => {
  const output = mkdtempSync(join(tmpdir(), 'wb-dist-'))
  const nativeDir = join(repoRoot, 'out', 'native')
  const placeholder = join(nativeDir, 'better_sqlite3.node')
  const madePlaceholder = !existsSync(placeholder)
  let resources = ''
  let asar = new Map<string, boolean>()

  beforeAll(() => {
    // A stand-in Electron distribution, and the binding dist.mjs would copy, where none was obtained.
    const electronDist = join(output, 'electron-dist')
    mkdirSync(electronDist)
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n')
    chmodSync(join(electronDist, 'electron'), 0o755)
    writeFileSync(join(electronDist, 'version'), 'v45.5.0')
    mkdirSync(nativeDir, { recursive: true })
    if (madePlaceholder) writeFileSync(placeholder, 'stand-in binding')
    const builder = join(repoRoot, 'node_modules', 'electron-builder', 'cli.js')
    const args = [builder, '--linux', 'dir', '--publish', 'never', `--config.electronDist=${electronDist}`, `--config.directories.output=${join(output, 'dist')}`]
    const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 170_000 })
    if (result.status !== 0) throw new Error(`electron-builder failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`)
    resources = join(output, 'dist', 'linux-unpacked', 'resources')
    asar = listAsar(join(resources, 'app.asar'))
  }, 180_000)

  afterAll(() => {
    if (madePlaceholder) rmSync(placeholder, { force: true })
    rmSync(output, { recursive: true, force: true })
  })

  it('holds the built app and the sample data, and no sources, tests or CI files', () => {
    for (const file of ['package.json', 'out/main/index.js', 'out/preload/preload.cjs', 'out/renderer/index.html', 'resources/sample-data/dataset.json']) {
      expect(asar.has(file), file).toBe(true)
    }
    const stray = [...asar.keys()].filter((f) => /^(src|e2e|\.ci|test-output|resources\/screenshots)\//.test(f) || /^(README\.md|tsconfig.*\.json|electron\.vite\.config\.ts)$/.test(f))
    expect(stray).toEqual([])
    expect([...asar.keys()].some((f) => f.startsWith('node_modules/@kitware/'))).toBe(false)
    expect([...asar.keys()].some((f) => f.startsWith('node_modules/better-sqlite3/build/'))).toBe(false)
    expect(asar.get('node_modules/better-sqlite3/lib/database.js')).toBe(false)
  })

  it('unpacks the worker entries, dawn.node for Linux only, and the wasm files', () => {
    for (const name of workerNames) {
      expect(asar.get(`out/main/${name}.js`), name).toBe(true)
      expect(existsSync(join(resources, 'app.asar.unpacked', 'out', 'main', `${name}.js`)), name).toBe(true)
    }
    expect(asar.get('node_modules/webgpu/dist/linux-x64/dawn.node')).toBe(true)
    expect([...asar.keys()].some((f) => /^node_modules\/webgpu\/dist\/(darwin|win32)-/.test(f))).toBe(false)
    expect(asar.get('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')).toBe(true)
    expect(asar.get('resources/sample-data/dataset.json')).toBe(true)
  })

  it('carries the Electron build of better-sqlite3, the license and the notices beside the asar', () => {
    expect(readdirSync(join(resources, 'native'))).toEqual(['better_sqlite3.node'])
    expect(readFileSync(join(resources, 'LICENSE'), 'utf8')).toContain('Apache License')
    expect(readFileSync(join(resources, 'THIRD_PARTY_NOTICES.md'), 'utf8')).toContain('| better-sqlite3 |')
    expect(readFileSync(join(resources, 'sample-data-LICENSE.md'), 'utf8')).toContain('CC BY-SA 4.0')
  })
})
