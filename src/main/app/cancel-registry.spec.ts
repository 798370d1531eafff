import { describe, expect, it } from 'vitest'
import { InputError, isInputError } from '../../shared/errors'
import { CancelledError } from '../core/execution'
import { cancelledInPlainWords, createCancelRegistry } from './cancel-registry'

const words = { describe: (id: number) => `run ${id}`, alreadyRunning: 'is running already', notRunning: 'is not running here' }

describe('createCancelRegistry', () => {
  it('aborts the signal of the run under a key, and only that one', () => {
    const running = createCancelRegistry(words)
    const first = running.begin(1)
    const second = running.begin(2)
    running.cancel(2)
    expect([first.aborted, second.aborted]).toEqual([false, true])
  })

  it('refuses a key already running and a cancel of a key not running, naming the key', () => {
    const running = createCancelRegistry(words)
    const signal = running.begin(7)
    expect(() => running.begin(7)).toThrow(new InputError('run 7', 'is running already'))
    expect(signal.aborted).toBe(false)
    expect(() => running.cancel(8)).toThrow(new InputError('run 8', 'is not running here'))
    running.end(7)
    expect(() => running.cancel(7)).toThrow(/^run 7: is not running here$/)
    expect(running.begin(7).aborted).toBe(false)
  })

  it('holds a controller it is given, so a run can use its signal before its key is known', () => {
    const running = createCancelRegistry(words)
    const controller = new AbortController()
    expect(running.begin(3, controller)).toBe(controller.signal)
    running.cancel(3)
    expect(controller.signal.aborted).toBe(true)
  })

  it('lists the keys running, oldest first, and aborts them all at once', () => {
    const running = createCancelRegistry(words)
    const signals = [running.begin(5), running.begin(4), running.begin(6)]
    running.end(4)
    expect(running.active()).toEqual([5, 6])
    running.cancelAll()
    expect(signals.map((s) => s.aborted)).toEqual([true, false, true])
    // Aborted runs stay listed until they end themselves.
    expect(running.active()).toEqual([5, 6])
  })
})

describe('cancelledInPlainWords', () => {
  it('turns a CancelledError into an InputError and passes any other error through', () => {
    const cancelled = cancelledInPlainWords(new CancelledError('cancelled'), 'run 2', 'was cancelled')
    expect(isInputError(cancelled) && [cancelled.source, cancelled.problem]).toEqual(['run 2', 'was cancelled'])
    const failure = new Error('disk full')
    expect(cancelledInPlainWords(failure, 'run 2', 'was cancelled')).toBe(failure)
  })
})
