// Where the handlers push events (training progress) and where the doors pick them up: Electron sends them to
// the window over IPC, browser mode over its WebSocket. Payloads are checked against their schemas on the way in.
import { apiEvents, type ApiEventMessage, type ApiEventName, type ApiEventPayload } from '../../shared/api'

/** A source of pushed events; subscribe returns the function that unsubscribes. */
export interface EventFeed {
  subscribe(listener: (message: ApiEventMessage) => void): () => void
}

/** An EventFeed the handlers can also emit into. */
export interface EventHub extends EventFeed {
  emit<E extends ApiEventName>(event: E, payload: ApiEventPayload<E>): void
}

/** A fresh hub; a listener that throws is reported and does not stop the others. */
export function createEventHub(): EventHub {
  const listeners = new Set<(message: ApiEventMessage) => void>()
  return {
    emit(event, payload) {
      // The parse catches a core change that drifts from the shared schema here, not in every client.
      const message = { event, payload: apiEvents[event].parse(payload) } as ApiEventMessage
      for (const listener of [...listeners]) {
        try {
          listener(message)
        } catch (err) {
          console.error(`workbench: a listener of the ${event} event failed`, err)
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
