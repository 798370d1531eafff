#!/usr/bin/env node
// `npm run test:desktop`: the desktop smoke test (desktop-app.electron.ts) against the real Electron app, under Xvfb
// on Linux without a display. It needs the Electron binary and the Electron build of better-sqlite3 already in place
// (`npm run desktop:prepare` fetches both) and fetches nothing itself; where either is missing, or Linux has neither
// a display nor xvfb-run, it prints why, reports itself skipped and exits 0, so CI without Electron stays green.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const skip = (why) => {
  console.log(`test:desktop: skipped: ${why}`)
  process.exit(0)
}

register()
const { planDesktopLaunch } = await import('../src/main/desktop/desktop-launch.ts')
const plan = await planDesktopLaunch({ repoRoot, prepareOnly: true, allowFetch: false })
if (plan.kind === 'browser') skip(`${plan.reason}; run \`npm run desktop:prepare\` on a machine with network first`)

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
const xvfbRun = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim()
if (!hasDisplay && !xvfbRun) skip('Linux without a display and without xvfb-run (apt-get install xvfb)')

if (!existsSync(join(repoRoot, 'out', 'main', 'index.js'))) {
  const built = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: repoRoot, stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}

const vitest = [process.execPath, join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(repoRoot, 'e2e', 'desktop.vitest.config.ts')]
const command = hasDisplay ? vitest : [xvfbRun, '-a', '--server-args=-screen 0 1280x1024x24', ...vitest]
const env = { ...process.env, WORKBENCH_ELECTRON: plan.executable, WORKBENCH_SQLITE_BINDING: plan.binding }
const result = spawnSync(command[0], command.slice(1), { cwd: repoRoot, stdio: 'inherit', env })
process.exit(result.status ?? 1)
