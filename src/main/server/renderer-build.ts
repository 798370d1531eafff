// Browser mode serves out/renderer; build it when it is missing so `workbench serve` works on a fresh clone.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (three levels above src/main/server). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Absolute path of the built renderer. */
export const rendererOutDir = join(repoRoot, 'out', 'renderer')

/**
 * Returns the absolute out/renderer folder, running `electron-vite build` first when its index.html is
 * missing. The build's log goes to stderr, so a caller's stdout stays machine-readable.
 */
export async function ensureRendererBuilt(): Promise<string> {
  if (existsSync(join(rendererOutDir, 'index.html'))) return rendererOutDir
  const cli = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [cli, 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] })
    child.on('error', fail)
    child.on('exit', (code, signal) =>
      code === 0 ? done() : fail(new Error(`electron-vite build failed (${signal ?? `exit code ${code}`}); run \`npm run build\` to see why`)),
    )
  })
  if (!existsSync(join(rendererOutDir, 'index.html'))) {
    throw new Error(`electron-vite build finished but ${join(rendererOutDir, 'index.html')} is missing`)
  }
  return rendererOutDir
}
