import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { cliRunner } from '../test-support/cli-harness'

let root: string
let common: string[]
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-main-'))
  common = ['--no-sample', '--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

const cli = cliRunner(() => common)
const logFile = (): string => join(root, 'ws', 'logs', 'errors.log')

describe('workbench errors', () => {
  it('prints one line for an unexpected error and appends its trace, with time and door, to the workspace log', async () => {
    writeFileSync(join(root, 'w.db'), 'this is not a SQLite store, just some text that is long enough to look like one'.repeat(100))
    const first = await cli('datasets')
    expect(first.code).toBe(1)
    const lines = first.err.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^workbench: error: /)
    expect(lines[0]).toContain(logFile())
    expect(first.err).not.toMatch(/\n\s+at /)
    const log = readFileSync(logFile(), 'utf8')
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] cli: /)
    expect(log).toMatch(/\n\s+at /)
    await cli('datasets')
    // Appended, not overwritten.
    expect(readFileSync(logFile(), 'utf8').match(/^\[\d{4}-/gm)).toHaveLength(2)
  })

  it('prints an input error as one line and logs no trace for it', async () => {
    const { code, err } = await cli('info', 'no-such-dataset')
    expect(code).toBe(1)
    expect(err.trimEnd().split('\n')).toHaveLength(1)
    expect(err).toContain('no-such-dataset')
    expect(existsSync(logFile())).toBe(false)
  })
})
