import { shallowRef, type ShallowRef } from 'vue'

/** Where one API call stands. */
export type CallState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; message: string }

/** Wraps an async call in a state that views can show; a newer run wins over a slower older one. */
export function useApiCall<A extends unknown[], T>(
  call: (...args: A) => Promise<T>,
): { state: ShallowRef<CallState<T>>; run: (...args: A) => Promise<void> } {
  const state = shallowRef<CallState<T>>({ status: 'idle' })
  let latest = 0
  async function run(...args: A): Promise<void> {
    const id = ++latest
    state.value = { status: 'loading' }
    try {
      const value = await call(...args)
      if (id === latest) state.value = { status: 'ready', value }
    } catch (err) {
      if (id === latest) state.value = { status: 'error', message: err instanceof Error ? err.message : String(err) }
    }
  }
  return { state, run }
}
