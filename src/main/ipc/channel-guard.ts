// The preload's check that the page only calls channels of the shared API map (and listens to its events).
// The names arrive as plain string lists written into the preload bundle at build time (electron.vite.config.ts),
// because a sandboxed preload may bundle no schema library; main still validates every payload itself.

/** The refusal the preload returns for a channel outside the map: the same shape as the main process's refusals. */
export interface ChannelRefusal {
  ok: false
  error: { error: string }
}

/** True when `name` is one of `allowed`; for anything else (other types included) false. */
export function makeNameGuard(allowed: readonly string[]): (name: unknown) => boolean {
  const names = new Set(allowed)
  return (name) => typeof name === 'string' && names.has(name)
}

/** The result the bridge returns instead of sending an unknown channel to the main process. */
export function refuseChannel(channel: unknown): ChannelRefusal {
  return { ok: false, error: { error: `refused: ${String(channel)} is not a workbench API channel` } }
}
