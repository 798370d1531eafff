#!/usr/bin/env node
// `npm run dist [-- electron-builder options]`: installers with electron-builder (package.json "build": AppImage and
// .deb on Linux, .dmg on macOS, NSIS on Windows). It builds, makes sure the Electron binary and the Electron build
// of better-sqlite3 are there (fetching them like `npm start`), copies the binding to out/native (packaged as
// resources/native), writes the third-party notices, then runs electron-builder with the local Electron. Where a
// step cannot run (no network for Electron, the binding or electron-builder's own tools), it says so in one line
// and exits 1: no installer was made.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const fail = (why) => {
  console.error(`workbench: npm run dist cannot make installers here: ${why}`)
  process.exit(1)
}

const node = (args) => spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 2, 2] })
if (node([join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']).status !== 0) fail('the build failed (see above)')

register()
const { planDesktopLaunch } = await import('../desktop/desktop-launch.ts')
const { writeThirdPartyNotices } = await import('../desktop/third-party-notices.ts')
const plan = await planDesktopLaunch({ repoRoot, prepareOnly: true })
if (plan.kind === 'browser') fail(plan.reason)

mkdirSync(join(repoRoot, 'out', 'native'), { recursive: true })
copyFileSync(plan.binding, join(repoRoot, 'out', 'native', 'better_sqlite3.node'))
writeThirdPartyNotices(repoRoot)

// The local Electron (for this platform) instead of a download; electron-builder still fetches its own tools
// (AppImage runtime, fpm, NSIS) from GitHub on first use.
const builder = join(repoRoot, 'node_modules', 'electron-builder', 'cli.js')
const electronDist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(repoRoot, 'node_modules', 'electron', 'dist')
const result = node([builder, '--publish', 'never', `--config.electronDist=${electronDist}`, ...process.argv.slice(2)])
if (result.status !== 0) fail(`electron-builder ended with ${result.signal ?? `exit code ${result.status}`} (see its messages above)`)
console.error(`workbench: installers are in ${join(repoRoot, 'dist')}`)
