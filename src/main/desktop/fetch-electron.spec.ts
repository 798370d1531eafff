import { describe, expect, it } from 'vitest'
import { explainDownloadFailure, fetchElectronBinary } from './fetch-electron'
import type { CommandRunner, RunOutcome } from './run-bounded'

const quiet = { isTTY: false, write: () => true }

/** A runner that answers every command with `outcome` and records what it was asked. */
function fakeRunner(outcome: RunOutcome, calls: { command: string; args: readonly string[]; timeoutMs: number }[] = []): CommandRunner {
  return async (command, args, options) => {
    calls.push({ command, args, timeoutMs: options.timeoutMs })
    return outcome
  }
}

describe('fetchElectronBinary', () => {
  const base = { pkgDir: '/repo/node_modules/electron', version: '45.5.0', timeoutMs: 1000, progress: quiet }

  it("runs the electron package's own installer under the time limit", async () => {
    const calls: { command: string; args: readonly string[]; timeoutMs: number }[] = []
    expect(await fetchElectronBinary({ ...base, run: fakeRunner({ code: 0, timedOut: false, outputTail: '' }, calls) })).toEqual({ ok: true })
    expect(calls).toEqual([{ command: process.execPath, args: ['/repo/node_modules/electron/install.js'], timeoutMs: 1000 }])
  })

  it('explains no network in one line', async () => {
    const output = 'TypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n'
    expect(await fetchElectronBinary({ ...base, run: fakeRunner({ code: 1, timedOut: false, outputTail: output }) })).toEqual({
      ok: false,
      reason: 'no network connection to the download server',
    })
  })

  it('says when the download ran out of time or could not start', async () => {
    expect(await fetchElectronBinary({ ...base, run: fakeRunner({ code: null, timedOut: true, outputTail: '' }) })).toEqual({ ok: false, reason: 'the download did not finish within 1 s' })
    const notStarted = await fetchElectronBinary({ ...base, run: fakeRunner({ code: null, timedOut: false, outputTail: '', startError: 'spawn EACCES' }) })
    expect(notStarted).toEqual({ ok: false, reason: 'could not start the installer: spawn EACCES' })
  })
})

describe('explainDownloadFailure', () => {
  it('recognises DNS, refused, checksum and HTTP failures', () => {
    expect(explainDownloadFailure('getaddrinfo ENOTFOUND downloads.example')).toBe('no network connection to the download server')
    expect(explainDownloadFailure('Error: connect ECONNREFUSED 1.2.3.4:443')).toBe('no network connection to the download server')
    expect(explainDownloadFailure('Error: Generated checksum for "electron.zip" did not match')).toBe('the download did not match its checksum')
    expect(explainDownloadFailure('HTTPError: Response code 404 (Not Found)')).toBe('the download server refused the file (HTTP 403/404)')
    expect(explainDownloadFailure('')).toBe('the installer failed without a message')
  })
})
