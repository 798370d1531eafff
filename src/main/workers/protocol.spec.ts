import { describe, expect, it } from 'vitest'
import { InputError } from '../../shared/errors'
import { userLine } from '../app/error-log'
import { fromErrorMessage, toErrorMessage } from './protocol'

describe('worker error messages', () => {
  it('send the message without the stack trace, and keep the trace apart for the log', () => {
    const thrown = new Error('disk on fire')
    const m = toErrorMessage(thrown)
    expect(m.message).toBe('disk on fire')
    expect(m.message).not.toContain('\n')
    expect(m.message).not.toContain(__filename)
    expect(m.stack).toBe(thrown.stack)
  })

  it('rebuild an error whose message is one line and whose stack is the worker trace', () => {
    const thrown = new Error('disk on fire')
    const err = fromErrorMessage(structuredClone(toErrorMessage(thrown)))
    expect(err.message).toBe('disk on fire')
    expect(userLine(err)).toBe('disk on fire')
    expect(err.stack).toBe(thrown.stack)
  })

  it('keep an input error as one, with no trace', () => {
    const m = toErrorMessage(new InputError('a.nii', 'truncated header'))
    expect(m.stack).toBeUndefined()
    const err = fromErrorMessage(m)
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe('a.nii: truncated header')
  })

  it('turn a thrown non-error into its text', () => {
    expect(fromErrorMessage(toErrorMessage('plain')).message).toBe('plain')
  })
})
