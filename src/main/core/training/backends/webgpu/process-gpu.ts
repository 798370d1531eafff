/**
 * What Dawn needs from the whole process, not from one thread:
 * - Mesa's EGL reads EGL_PLATFORM from the C environment, which only the main thread's process.env writes
 *   reach (a worker's process.env is its own copy): whoever starts workers calls prepareGpuEnvironment first.
 * - Dawn's OpenGL backend (Mesa's EGL) is not safe in several threads of one process: two workers requesting
 *   an adapter together crashed it (SIGSEGV) every time, and two that had opened devices one after the other
 *   still crashed it now and then when they exited together ("double free or corruption"). So:
 *   every thread serialises its adapter search and device creation through a short lock, and a thread that
 *   uses the OpenGL backend at all holds the process's OpenGL session until it exits (the main thread frees
 *   it on the worker's 'exit' event, after its teardown). Both live in one shared buffer that the main
 *   thread hands each worker it starts (workerData.gpuInitLock): cell 0 the short lock, cell 1 the session.
 */
import { isMainThread, threadId, workerData } from 'node:worker_threads'

/** The workerData key the lock travels under. */
export const GPU_INIT_LOCK_KEY = 'gpuInitLock'

/** Sets EGL_PLATFORM=surfaceless on Linux without a display, from the main thread, unless the user set it. */
export function prepareGpuEnvironment(): void {
  if (process.platform !== 'linux' || !isMainThread) return
  if (process.env.EGL_PLATFORM !== undefined || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return
  process.env.EGL_PLATFORM = 'surfaceless'
}

let lockBuffer: SharedArrayBuffer | null = null

/** The process's GPU-initialisation lock: the one handed to this worker, else this thread's own (main thread). */
export function gpuInitLockBuffer(): SharedArrayBuffer {
  if (lockBuffer) return lockBuffer
  const handed = (workerData as Record<string, unknown> | null | undefined)?.[GPU_INIT_LOCK_KEY]
  lockBuffer = handed instanceof SharedArrayBuffer ? handed : new SharedArrayBuffer(8)
  return lockBuffer
}

/** Options for {@link withGpuInitLock}. */
export interface GpuLockOptions {
  /** After this long the lock is taken anyway: a worker terminated mid-initialisation never releases it. */
  readonly staleMs?: number
  readonly pollMs?: number
}

/** Runs `fn` holding the process's GPU-initialisation lock (polled: a pending Atomics.waitAsync does not keep a worker alive). */
export async function withGpuInitLock<T>(fn: () => Promise<T>, options: GpuLockOptions = {}): Promise<T> {
  const cell = new Int32Array(gpuInitLockBuffer())
  const owner = threadId + 1
  const staleAt = Date.now() + (options.staleMs ?? 60_000)
  while (Atomics.compareExchange(cell, 0, 0, owner) !== 0) {
    if (Date.now() > staleAt) {
      Atomics.store(cell, 0, owner)
      break
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 20))
  }
  try {
    return await fn()
  } finally {
    Atomics.compareExchange(cell, 0, owner, 0)
  }
}

/** The thread that holds the OpenGL session (threadId + 1), 0 when free. */
const GL_SESSION = 1

/**
 * Waits until this thread holds the process's OpenGL session, which it keeps until it exits (see the module
 * comment). Call it before {@link withGpuInitLock}: the holder may need that lock again to reopen a device.
 */
export async function acquireGlSession(pollMs = 50): Promise<void> {
  const cell = new Int32Array(gpuInitLockBuffer())
  const owner = threadId + 1
  for (;;) {
    const previous = Atomics.compareExchange(cell, GL_SESSION, 0, owner)
    if (previous === 0 || previous === owner) return
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** Frees the OpenGL session of a worker that has exited (main thread, on the Worker's 'exit' event). */
export function releaseGlSessionOf(workerThreadId: number): void {
  Atomics.compareExchange(new Int32Array(gpuInitLockBuffer()), GL_SESSION, workerThreadId + 1, 0)
}
