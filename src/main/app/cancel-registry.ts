// The runs a door can cancel (imports by dataset name, interpolations by task id, training by run id): each
// holds an AbortController under its key while it runs, so a cancel from the UI, or the workbench closing,
// reaches it. Every refusal names the key in plain words.
import { InputError } from '../../shared/errors'
import { CancelledError } from '../core/execution'

export interface CancelRegistryWords<K> {
  /** The InputError source that names a key ('scans', 'task ui-1', 'run 3'). */
  describe: (key: K) => string
  /** Why a second run under a key already running is refused. */
  alreadyRunning: string
  /** Why a cancel of a key nothing runs under is refused. */
  notRunning: string
}

export interface CancelRegistry<K> {
  /**
   * Holds a run's controller under its key (a new one unless given: a run may need its signal before its
   * key is known) and returns its signal; throws an InputError when a run holds the key already.
   */
  begin(key: K, controller?: AbortController): AbortSignal
  /** Forgets the run under a key (it ended, however). */
  end(key: K): void
  /** Aborts the run under a key; throws an InputError when none runs under it. */
  cancel(key: K): void
  /** The keys running now, oldest first. */
  active(): K[]
  /** Aborts every run (the workbench is closing); each still ends itself. */
  cancelAll(): void
}

export function createCancelRegistry<K>(words: CancelRegistryWords<K>): CancelRegistry<K> {
  const running = new Map<K, AbortController>()
  return {
    begin(key, controller = new AbortController()) {
      if (running.has(key)) throw new InputError(words.describe(key), words.alreadyRunning)
      running.set(key, controller)
      return controller.signal
    },
    end(key) {
      running.delete(key)
    },
    cancel(key) {
      const controller = running.get(key)
      if (!controller) throw new InputError(words.describe(key), words.notRunning)
      controller.abort()
    },
    active: () => [...running.keys()],
    cancelAll() {
      for (const controller of running.values()) controller.abort()
    },
  }
}

/**
 * A cancel the user asked for is an outcome to show in plain words, not a server failure: a CancelledError
 * becomes `InputError(source, problem)`; any other error is returned as it is (for the caller to throw).
 */
export function cancelledInPlainWords(err: unknown, source: string, problem: string): unknown {
  return err instanceof CancelledError ? new InputError(source, problem) : err
}
