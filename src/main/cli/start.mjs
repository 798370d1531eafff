#!/usr/bin/env node
// `npm start`: build, then open the desktop app; where Electron cannot run (its binary was never downloaded,
// or Linux has no display) say why in one line and serve browser mode instead, which prints the URL to open.
// Plain Node on purpose: it runs before anything is built and needs no TypeScript loader.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { constants } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const passThrough = process.argv.slice(2)

/** Runs `electron-vite build`; its log goes to stderr so stdout keeps only what the app prints. */
function build() {
  const cli = join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] })
  if (result.status !== 0) {
    console.error(`workbench: the build failed (${result.signal ?? `exit code ${result.status}`}); see the messages above`)
    process.exit(result.status || 1)
  }
}

/**
 * The Electron executable, or why there is none. Deliberately not `require('electron')`: that starts a download
 * when the binary is missing, which hangs or fails on a machine without network.
 */
function findElectron() {
  const pkgDir = join(repoRoot, 'node_modules', 'electron')
  if (!existsSync(join(pkgDir, 'package.json'))) return { reason: 'the electron package is not installed' }
  const pathFile = join(pkgDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkgDir, 'dist')
  if (!relative && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    return { reason: 'the Electron binary has not been downloaded (node_modules/electron/dist is missing)' }
  }
  const executable = join(distDir, relative || 'electron')
  if (!existsSync(executable)) return { reason: `the Electron binary is missing (${executable})` }
  return { executable }
}

function noDisplay() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
}

/**
 * Runs a child in its own process group and forwards each signal to it once, so Ctrl+C reaches it exactly once
 * (from us, not also from the terminal) and it can close the store cleanly; exits with the child's status.
 */
function runForwarding(command, args, env) {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], env, detached: true })
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal))
  child.on('error', (err) => {
    console.error(`workbench: could not start ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)))
}

build()
const electron = findElectron()
const why = 'reason' in electron ? electron.reason : noDisplay() ? 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' : undefined
if (why) {
  console.error(`workbench: cannot open the desktop window: ${why}; falling back to browser mode (workbench serve).`)
  runForwarding(process.execPath, [join(repoRoot, 'src', 'main', 'cli', 'bin.mjs'), 'serve', ...passThrough], process.env)
} else {
  // An inherited ELECTRON_RUN_AS_NODE (set by some editors' terminals) would start Electron as plain Node.
  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  runForwarding(electron.executable, [repoRoot, ...passThrough], env)
}
