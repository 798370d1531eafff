#!/usr/bin/env node
// `npm run desktop:prepare [-- --rebuild]`: fetch the Electron binary and the Electron build of better-sqlite3
// without starting anything (a workstation can do it once, ahead of `npm start` or `npm run dist`). --rebuild
// obtains the binding again even when the one there checks out. Exit code 0 when the desktop app can start.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
register()
const { planDesktopLaunch } = await import('../desktop/desktop-launch.ts')
const plan = await planDesktopLaunch({ repoRoot, prepareOnly: true, rebuild: process.argv.includes('--rebuild') })
if (plan.kind === 'browser') {
  console.error(`workbench: the desktop app is not ready: ${plan.reason}`)
  process.exit(1)
}
console.log(`workbench: ready: Electron at ${plan.executable}, SQLite binding at ${plan.binding}`)
