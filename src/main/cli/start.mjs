#!/usr/bin/env node
// `npm start`: build, then open the desktop app. When the Electron binary or the Electron build of better-sqlite3
// is missing, fetch it first (bounded in time, one line of progress; src/main/desktop/desktop-launch.ts). Where
// Electron still cannot run (no network to fetch it, no display) or the app cannot load its binding, say why in
// one line and serve browser mode instead, which prints the URL to open.
// Plain Node plus tsx (as bin.mjs), so it runs before anything is built.
import { spawn, spawnSync } from 'node:child_process'
import { constants } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

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
 * Runs a child in its own process group and forwards each signal to it once, so Ctrl+C reaches it exactly once
 * (from us, not also from the terminal) and it can close the store cleanly; calls onExit with its exit status.
 */
function runForwarding(command, args, env, onExit = (code) => process.exit(code)) {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], env, detached: true })
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal)
  }
  const listeners = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((signal) => [signal, () => forward(signal)])
  for (const [signal, listener] of listeners) process.on(signal, listener)
  child.on('error', (err) => {
    console.error(`workbench: could not start ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const [name, listener] of listeners) process.off(name, listener)
    onExit(code ?? 128 + (constants.signals[signal] ?? 1))
  })
}

function serveBrowserMode() {
  runForwarding(process.execPath, [join(repoRoot, 'src', 'main', 'cli', 'bin.mjs'), 'serve', ...passThrough], process.env)
}

build()
register()
const { planDesktopLaunch } = await import('../desktop/desktop-launch.ts')
const { bindingUnusableExitCode, sqliteBindingEnv } = await import('../desktop/main-binding.ts')
const plan = await planDesktopLaunch({ repoRoot })
if (plan.kind === 'browser') {
  console.error(`workbench: cannot open the desktop window: ${plan.reason}; falling back to browser mode (workbench serve).`)
  serveBrowserMode()
} else {
  // An inherited ELECTRON_RUN_AS_NODE (set by some editors' terminals) would start Electron as plain Node.
  const env = { ...process.env, [sqliteBindingEnv]: plan.binding }
  delete env.ELECTRON_RUN_AS_NODE
  runForwarding(plan.executable, [repoRoot, ...passThrough], env, (code) => {
    if (code !== bindingUnusableExitCode) process.exit(code)
    // The app has printed which file failed and the command that rebuilds it.
    console.error('workbench: the desktop app could not load its SQLite binding; falling back to browser mode (workbench serve).')
    serveBrowserMode()
  })
}
