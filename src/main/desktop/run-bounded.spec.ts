import { describe, expect, it } from 'vitest'
import { lastMeaningfulLine, runBounded } from './run-bounded'

describe('runBounded', () => {
  const opts = { cwd: process.cwd(), timeoutMs: 10_000 }

  it('returns the exit code and the end of the output', async () => {
    const ok = await runBounded(process.execPath, ['-e', 'console.log("hello")'], opts)
    expect(ok).toMatchObject({ code: 0, timedOut: false })
    expect(ok.outputTail).toContain('hello')
    const bad = await runBounded(process.execPath, ['-e', 'console.error("Error: boom"); process.exit(3)'], opts)
    expect(bad).toMatchObject({ code: 3, timedOut: false })
    expect(bad.outputTail).toContain('boom')
  })

  it('kills a command that runs past its limit, with its children', async () => {
    const started = Date.now()
    const outcome = await runBounded(process.execPath, ['-e', 'require("child_process").spawn(process.execPath, ["-e", "setTimeout(()=>{}, 60000)"], {stdio: "inherit"}); setTimeout(() => {}, 60000)'], { ...opts, timeoutMs: 500 })
    expect(outcome.timedOut).toBe(true)
    expect(outcome.code).toBeNull()
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('reports a command that cannot start', async () => {
    const outcome = await runBounded('/nonexistent/tool', [], opts)
    expect(outcome.startError).toMatch(/ENOENT/)
  })
})

describe('lastMeaningfulLine', () => {
  it('prefers the last error line and skips stack frames and node-gyp boilerplate', () => {
    const output = ['gyp info it worked', 'gyp ERR! stack Error: network connectivity', '    at foo (x.js:1:1)', 'gyp ERR! not ok', ''].join('\n')
    expect(lastMeaningfulLine(output)).toBe('gyp ERR! stack Error: network connectivity')
    expect(lastMeaningfulLine('one\ntwo\n')).toBe('two')
    expect(lastMeaningfulLine('')).toBe('')
  })
})
