// Fetches the Electron binary with the electron package's own installer (install.js, the `install-electron` bin),
// bounded in time and with one line of progress. It runs at `npm start`, never at `npm ci`, so an install on a
// machine without network cannot fail or hang because of it.
import { join } from 'node:path'
import { lastMeaningfulLine, runBounded, type CommandRunner } from './run-bounded'
import { startProgressLine, type ProgressStream } from './progress-line'

/** Options of fetchElectronBinary. */
export interface FetchElectronOptions {
  /** node_modules/electron */
  pkgDir: string
  version: string
  /** Give up after this long; the zip is ~100 MB, so minutes on a slow line. */
  timeoutMs: number
  run?: CommandRunner
  progress?: ProgressStream
}

/** The outcome of a fetch: ok, or why it failed in a few words. */
export type FetchOutcome = { ok: true } | { ok: false; reason: string }

/** True when a tool's output says it could not reach its server (DNS, refused, unreachable, node-gyp's wording). */
export function isNetworkFailure(output: string): boolean {
  return /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|getaddrinfo|network connectivity/i.test(output)
}

/** Turns a failed download's output into one line a user can act on. */
export function explainDownloadFailure(output: string): string {
  if (isNetworkFailure(output)) return 'no network connection to the download server'
  if (/checksum|sha256/i.test(output)) return 'the download did not match its checksum'
  if (/\b40[34]\b/.test(output)) return 'the download server refused the file (HTTP 403/404)'
  return lastMeaningfulLine(output) || 'the installer failed without a message'
}

/** Runs node_modules/electron/install.js under a time limit; the binary lands in node_modules/electron/dist. */
export async function fetchElectronBinary(options: FetchElectronOptions): Promise<FetchOutcome> {
  const run = options.run ?? runBounded
  const progress = startProgressLine(`workbench: fetching the Electron ${options.version} binary (npx install-electron)`, options.progress)
  const outcome = await run(process.execPath, [join(options.pkgDir, 'install.js')], { cwd: options.pkgDir, timeoutMs: options.timeoutMs })
  if (outcome.code === 0 && !outcome.timedOut) {
    progress.done('done')
    return { ok: true }
  }
  const reason = outcome.timedOut
    ? `the download did not finish within ${Math.round(options.timeoutMs / 1000)} s`
    : outcome.startError
      ? `could not start the installer: ${outcome.startError}`
      : explainDownloadFailure(outcome.outputTail)
  progress.done('failed')
  return { ok: false, reason }
}
