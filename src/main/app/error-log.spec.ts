import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../shared/errors'
import { CancelledError } from '../core/execution'
import { errorLogPath, reportError, userLine, workerOrigin } from './error-log'

describe('reportError', () => {
  it('gives one line and appends the trace with a timestamp and the door', () => {
    const log = errorLogPath(mkdtempSync(join(tmpdir(), 'wb-errlog-')))
    const err = new Error('first\nsecond')
    expect(reportError(err, 'cli', log)).toEqual({ line: 'first', logged: log })
    const worker = new Error('from a worker')
    Object.defineProperty(worker, workerOrigin, { value: true })
    reportError(worker, 'server', log)
    const text = readFileSync(log, 'utf8')
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] cli: first\nError: first\nsecond\n\s+at /)
    expect(text).toContain('] worker (via server): from a worker\n')
  })

  it('logs no trace for input errors and cancels', () => {
    const log = errorLogPath(mkdtempSync(join(tmpdir(), 'wb-errlog-')))
    expect(reportError(new InputError('a.nii', 'bad'), 'cli', log)).toEqual({ line: 'a.nii: bad' })
    expect(reportError(new CancelledError('stopped'), 'cli', log)).toEqual({ line: 'stopped' })
    expect(existsSync(log)).toBe(false)
  })

  it('still gives the line when the log cannot be written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wb-errlog-')), 'a-file')
    writeFileSync(file, '')
    expect(reportError(new Error('x'), 'cli', join(file, 'logs', 'errors.log'))).toEqual({ line: 'x' })
    expect(userLine('plain')).toBe('plain')
  })
})
