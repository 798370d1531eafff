// What `npm run dist` would package, checked against the real tree where electron-builder cannot run (it downloads
// Electron and its own tools): the file list, what is unpacked beside the asar, and the extra resources.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { workerNames } from '../workers/worker-files'
import { expandMacros, globToRegExp, selectedBy } from './glob-pattern'
import { listFiles, planAppFiles, readBuilderConfig, type PackagedFile } from './package-plan'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const config = readBuilderConfig(repoRoot)

/** Representative files of the production packages the main process loads, as installed here. */
const moduleFiles = [
  'node_modules/better-sqlite3/lib/database.js',
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
  'node_modules/webgpu/dist/linux-x64/dawn.node',
  'node_modules/webgpu/dist/darwin-universal/dawn.node',
  'node_modules/webgpu/dist/win32-x64/dawn.node',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js',
  'node_modules/@kitware/vtk.js/index.js',
  'node_modules/zod/README.md',
  'node_modules/zod/index.js',
]

function find(plan: PackagedFile[], path: string): PackagedFile | undefined {
  return plan.find((f) => f.path === path)
}

describe('globToRegExp / selectedBy', () => {
  it('matches the pattern forms the config uses', () => {
    expect(globToRegExp('out/main/**').test('out/main/a/b.js')).toBe(true)
    expect(globToRegExp('out/main/*.worker.js').test('out/main/train.worker.js')).toBe(true)
    expect(globToRegExp('out/main/*.worker.js').test('out/main/x/train.worker.js')).toBe(false)
    expect(globToRegExp('node_modules/**/*.{md,map}').test('node_modules/a/b/README.md')).toBe(true)
    expect(globToRegExp('node_modules/**/*.{md,map}').test('node_modules/README.md')).toBe(true)
    expect(globToRegExp('node_modules/webgpu/dist/{darwin,win32}-*/**').test('node_modules/webgpu/dist/win32-x64/dawn.node')).toBe(true)
    expect(globToRegExp('dist/!(linux-*)/**').test('dist/win32-x64/dawn.node')).toBe(true)
    expect(globToRegExp('dist/!(linux-*)/**').test('dist/linux-x64/dawn.node')).toBe(false)
    expect(expandMacros('dist/!(${platform}-*)/**', 'darwin')).toBe('dist/!(darwin-*)/**')
    expect(selectedBy('a/b.js', ['a/**', '!a/b.js'])).toBe(false)
    expect(selectedBy('a/c.js', ['a/**', '!a/b.js'])).toBe(true)
  })
})

describe('electron-builder config (npm run dist)', () => {
  it('targets AppImage and deb, dmg, and NSIS, and never rebuilds native modules in node_modules', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.mac?.target).toEqual(['dmg'])
    expect(config.win?.target).toEqual(['nsis'])
    // A rebuild would overwrite the Node build the CLI and tests load; the Electron build travels as native/.
    expect(config.npmRebuild).toBe(false)
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'out/native', to: 'native' }, { from: 'LICENSE', to: 'LICENSE' }, { from: 'THIRD_PARTY_NOTICES.md', to: 'THIRD_PARTY_NOTICES.md' }]))
    for (const { from } of config.extraResources.filter((r) => r.from !== 'out/native')) expect(existsSync(join(repoRoot, from)), from).toBe(true)
  })

  it('packs the built app, unpacks the workers, native addons and wasm, and leaves out sources and the Node build', () => {
    // The built tree where there is one, and the files every build has (so the spec needs no build to run).
    const expected = ['out/main/index.js', ...workerNames.map((n) => `out/main/${n}.js`), 'out/preload/preload.cjs', 'out/renderer/index.html']
    const built = [...new Set([...listFiles(repoRoot, 'out'), ...expected])]
    const candidates = [...built, ...listFiles(repoRoot, 'resources'), ...listFiles(repoRoot, 'src/main/cli'), 'package.json', 'README.md', ...moduleFiles]
    const plan = planAppFiles(config, 'linux', candidates)
    for (const name of workerNames) expect(find(plan, `out/main/${name}.js`), name).toEqual({ path: `out/main/${name}.js`, unpacked: true })
    expect(find(plan, 'out/main/index.js')).toEqual({ path: 'out/main/index.js', unpacked: false })
    expect(find(plan, 'out/preload/preload.cjs')).toMatchObject({ unpacked: false })
    expect(find(plan, 'out/renderer/index.html')).toMatchObject({ unpacked: false })
    expect(plan.filter((f) => f.path.startsWith('resources/sample-data/')).length).toBe(listFiles(repoRoot, 'resources/sample-data').length)
    expect(find(plan, 'resources/sample-data/README.md')).toMatchObject({ unpacked: true })
    expect(find(plan, 'node_modules/webgpu/dist/linux-x64/dawn.node')).toMatchObject({ unpacked: true })
    expect(find(plan, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')).toMatchObject({ unpacked: true })
    expect(find(plan, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js')).toMatchObject({ unpacked: false })
    expect(find(plan, 'node_modules/better-sqlite3/lib/database.js')).toMatchObject({ unpacked: false })
    expect(find(plan, 'node_modules/zod/index.js')).toBeDefined()
    for (const absent of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/webgpu/dist/darwin-universal/dawn.node',
      'node_modules/webgpu/dist/win32-x64/dawn.node',
      'node_modules/@kitware/vtk.js/index.js',
      'node_modules/zod/README.md',
      'src/main/cli/start.mjs',
      'README.md',
      'resources/screenshots/inspector.png',
    ]) {
      expect(find(plan, absent), absent).toBeUndefined()
    }
  })

  it("carries each platform's own dawn.node only", () => {
    expect(find(planAppFiles(config, 'mac', moduleFiles), 'node_modules/webgpu/dist/darwin-universal/dawn.node')).toMatchObject({ unpacked: true })
    expect(find(planAppFiles(config, 'mac', moduleFiles), 'node_modules/webgpu/dist/linux-x64/dawn.node')).toBeUndefined()
    expect(find(planAppFiles(config, 'win', moduleFiles), 'node_modules/webgpu/dist/win32-x64/dawn.node')).toMatchObject({ unpacked: true })
    expect(find(planAppFiles(config, 'win', moduleFiles), 'node_modules/webgpu/dist/darwin-universal/dawn.node')).toBeUndefined()
  })
})
