// Shared by the main process and the preload (which may bundle nothing heavy): the IPC name of an event.
import type { ApiEventName } from '../../shared/api'

/** The IPC channel that carries `event` from main to the page. */
export function eventChannel(event: ApiEventName): string {
  return `workbench:event:${event}`
}
