import { parentPort } from 'node:worker_threads'
import { toErrorMessage, type FromWorker, type ToWorker } from './protocol'

/** Progress reporter handed to a task: `done` of `total` units finished. */
export type TaskProgress = (done: number, total: number) => void

/**
 * Worker side: answers each task message with the handler's result, or with its error (input errors keep
 * their file and problem, so the main thread can show them as such). Tasks run one at a time.
 */
export function serveTasks<P, R>(handler: (payload: P, progress: TaskProgress) => Promise<R> | R): void {
  const port = parentPort
  if (!port) throw new Error('serveTasks must run inside a worker thread')
  let queue = Promise.resolve()
  port.on('message', (message: ToWorker<P>) => {
    queue = queue.then(async () => {
      const send = (m: FromWorker<R>): void => port.postMessage(m)
      try {
        const value = await handler(message.payload, (done, total) => send({ type: 'progress', id: message.id, done, total }))
        send({ type: 'result', id: message.id, value })
      } catch (err) {
        send({ type: 'error', id: message.id, ...toErrorMessage(err) })
      }
    })
  })
}
