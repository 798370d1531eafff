import { CancelledError } from '../../core/execution'

/** Ctrl+C cancels the work (the run is marked cancelled) instead of killing the process mid-write. */
export async function cancellable<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const onSignal = (): void => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await work(controller.signal)
  } catch (err) {
    if (err instanceof CancelledError) process.exitCode = 130
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
