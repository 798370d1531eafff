// Pushes core events (progress of long work) to the renderer; the preload's `on` listens on these channels.
import type { WebContents } from 'electron'
import { apiEvents, type ApiEventName, type ApiEventPayload } from '../../shared/api'
import { eventChannel } from './event-channel'

/** Sends one event to a window's page, checked against its schema first. */
export function sendEvent<E extends ApiEventName>(target: WebContents, event: E, payload: ApiEventPayload<E>): void {
  if (target.isDestroyed()) return
  target.send(eventChannel(event), apiEvents[event].parse(payload))
}
