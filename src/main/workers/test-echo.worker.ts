// A worker used by pool.spec.ts: doubles a value after a delay; negative values are an input error.
import { threadId } from 'node:worker_threads'
import { InputError } from '../../shared/errors'
import { serveTasks } from './serve-tasks'

serveTasks<{ value: number; delayMs: number }, { doubled: number; thread: number }>(async ({ value, delayMs }) => {
  if (value < 0) throw new InputError(`task ${value}`, 'negative values are refused')
  await new Promise((r) => setTimeout(r, delayMs))
  return { doubled: value * 2, thread: threadId }
})
