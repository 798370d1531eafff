// Helpers for the browser tests: the real `workbench serve` as a child process, Debian's Chromium through
// playwright-core, and a folder for screenshots. Everything started here is stopped by the returned handles.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { ensureRendererBuilt } from '../src/main/server/renderer-build'
import { decodeFrame } from '../src/shared/binary-frame'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const screenshotDir = join(repoRoot, 'test-output', 'e2e')
export const chromiumPath = process.env.WORKBENCH_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a message — except in CI, where a
 * missing browser must fail the run instead of silently passing it.
 */
export function chromiumStatus(): { available: true } | { available: false; message: string } {
  if (existsSync(chromiumPath)) return { available: true }
  const message = `Chromium is not installed at ${chromiumPath}: run \`apt-get install -y chromium\` (Debian) to run the browser tests`
  if (process.env.CI) throw new Error(message)
  return { available: false, message }
}

/**
 * Whether the Electron binary is installed (npm's electron package downloads it at install time, which fails on
 * machines without network: then node_modules/electron has no path.txt). The browser-mode specs always run; the
 * Electron variants of them need the binary, so its absence is said once in the test output.
 */
export function electronStatus(): { available: boolean; message: string } {
  const pathFile = join(repoRoot, 'node_modules', 'electron', 'path.txt')
  if (existsSync(pathFile)) return { available: true, message: 'the Electron binary is installed' }
  return {
    available: false,
    message: 'the Electron binary is absent (node_modules/electron has no path.txt): these specs test browser mode only, not the Electron app',
  }
}
const electron = electronStatus()
if (!electron.available) console.warn(electron.message)

/**
 * Builds out/renderer when it is missing, before the server starts: the server would build it too, but inside
 * the time the test allows for its first line.
 */
export { ensureRendererBuilt } from '../src/main/server/renderer-build'

/** A running `workbench serve`. */
export interface ServeHandle {
  url: string
  token: string
  port: number
  origin: string
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr(): string
  stop(): Promise<void>
}

/** Starts `node src/main/cli/bin.mjs serve --port 0 --json` on a fresh store and waits for its JSON line. */
export async function startServe(storeDir: string, timeoutMs = 90_000): Promise<ServeHandle> {
  const args = [
    join(repoRoot, 'src', 'main', 'cli', 'bin.mjs'),
    'serve',
    '--port',
    '0',
    '--json',
    '--db',
    join(storeDir, 'w.db'),
    '--workspace',
    join(storeDir, 'ws'),
  ]
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const stop = () => stopChild(child)
  try {
    const line = await firstStdoutLine(child, timeoutMs, () => stderr)
    const parsed = JSON.parse(line) as { url: string; token: string; port: number }
    return { ...parsed, origin: new URL(parsed.url).origin, stderr: () => stderr, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

function firstStdoutLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => finish(new Error(`workbench serve printed no line within ${timeoutMs} ms; stderr:\n${stderr()}`)), timeoutMs)
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`workbench serve exited (${signal ?? `code ${code}`}) before printing its URL; stderr:\n${stderr()}`))
    function finish(result: Error | string): void {
      clearTimeout(timer)
      child.off('exit', onExit)
      lines.close()
      if (typeof result === 'string') done(result)
      else fail(result)
    }
    child.on('exit', onExit)
    lines.on('line', (line) => {
      if (line.trim().startsWith('{')) finish(line.trim())
    })
  })
}

/** SIGTERM, then SIGKILL if the child has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** A headless Debian Chromium with a fresh profile; close() also deletes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'wb-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  })
  return {
    context,
    async close() {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** A temporary folder for one test file's store. */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Where to write a screenshot named `name`.png. */
export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true })
  return join(screenshotDir, `${name}.png`)
}

/** A running server on a fresh store, a Chromium page on it, and the page's script errors collected. */
export interface BrowserSession {
  server: ServeHandle
  page: Page
  /** Page errors and console errors seen so far (a test asserts this stays empty). */
  problems: string[]
  close(): Promise<void>
}

/**
 * Starts `workbench serve` on a fresh temporary store and opens Chromium on it (building the renderer first
 * if needed). Console errors matching `expectedConsoleErrors` (e.g. a request the test makes fail on purpose)
 * are not counted as problems.
 */
export async function openBrowserSession(storePrefix: string, expectedConsoleErrors?: RegExp): Promise<BrowserSession> {
  await ensureRendererBuilt()
  const store = makeTempDir(storePrefix)
  const server = await startServe(store.path)
  const browser = await launchChromium()
  const page = browser.context.pages()[0] ?? (await browser.context.newPage())
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedConsoleErrors?.test(msg.text())) problems.push(`console error: ${msg.text()}`)
  })
  return {
    server,
    page,
    problems,
    async close() {
      await browser.close()
      await server.stop()
      store.remove()
    },
  }
}

/** One API call with the token header, as a test's own witness of what the server says (binary frames decoded). */
export async function apiCall<T>(server: ServeHandle, channel: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-workbench-token': server.token },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${channel} answered ${response.status}: ${await response.text()}`)
  if (response.headers.get('content-type')?.startsWith('application/vnd.workbench.frame')) {
    return decodeFrame(await response.arrayBuffer()) as T
  }
  return (await response.json()) as T
}
