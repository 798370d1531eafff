// The one place the renderer's transport is picked: the Electron preload's bridge when it is there,
// else HTTP to the browser-mode server on the page's own origin (and its WebSocket for pushed events).
// Both parse replies and events with the shared schemas.
import {
  ApiErrorSchema,
  apiChannels,
  apiEvents,
  type ApiEventName,
  type ApiEventPayload,
  type ApiChannel,
  type ApiError,
  type ApiInput,
  type ApiOutput,
  type WorkbenchApi,
  type WorkbenchBridge,
} from '../../shared/api'
import { decodeFrame } from '../../shared/binary-frame'
import { isBinaryChannel } from '../../shared/inspect'

/** A failed API call; the message is the workbench's own plain-words explanation. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError'
  /** The file, folder or name the problem is about, when the core said. */
  readonly source: string | undefined
  readonly problem: string | undefined
  /** The HTTP status in browser mode. */
  readonly status: number | undefined

  constructor(error: ApiError, status?: number) {
    super(error.error)
    this.source = error.source
    this.problem = error.problem
    this.status = status
  }
}

/** Checks a reply against the channel's output schema, so a mismatch shows up here and not deep in a view. */
function parseOutput<C extends ApiChannel>(channel: C, value: unknown): ApiOutput<C> {
  const result = apiChannels[channel].output.safeParse(value)
  if (!result.success) {
    throw new ApiCallError({ error: `the workbench sent an unexpected reply to ${channel}: ${result.error.issues[0]?.message ?? 'invalid'}` })
  }
  // The parsed value is the channel's output; the generic index loses that link, so state it once here.
  return result.data as ApiOutput<C>
}

/** Electron: calls go through the preload, which resolves to {ok, value} | {ok: false, error}. */
function ipcClient(bridge: WorkbenchBridge): WorkbenchApi {
  return {
    async invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>> {
      const result = await bridge.invoke(channel, input)
      if (!result.ok) throw new ApiCallError(result.error)
      return parseOutput(channel, result.value)
    },
  }
}

/** Browser mode: POST /api/<channel>; the cookie set on page load carries the token, the header backs it up. */
function httpClient(token: string | null): WorkbenchApi {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['x-workbench-token'] = token
  return {
    async invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>> {
      let response: Response
      try {
        response = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input),
          credentials: 'same-origin',
        })
      } catch {
        throw new ApiCallError({ error: 'cannot reach the workbench server; it may have stopped (is `workbench serve` still running?)' })
      }
      if (response.ok) {
        // Voxel layers come as a binary frame (raw bytes after a JSON head), everything else as JSON.
        return parseOutput(channel, isBinaryChannel(channel) ? decodeFrame(await response.arrayBuffer()) : await response.json())
      }
      throw new ApiCallError(await readError(response), response.status)
    },
  }
}

/** The server's explanation of a failed call: JSON {error, …} from the API, or plain text (403, 404). */
async function readError(response: Response): Promise<ApiError> {
  const text = (await response.text()).trim()
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data
  } catch {
    // not JSON: a plain message
  }
  return { error: text || `the workbench server answered ${response.status} ${response.statusText}` }
}

/** Picks the transport for this page. */
export function createApiClient(): WorkbenchApi {
  if (window.workbench) return ipcClient(window.workbench)
  return httpClient(new URLSearchParams(window.location.search).get('token'))
}

/** How this page reaches the core, for the status bar. */
export const transportName: 'ipc' | 'http' = typeof window !== 'undefined' && window.workbench ? 'ipc' : 'http'

/** The API the whole renderer uses. */
export const api: WorkbenchApi = createApiClient()

/** Subscribes to a pushed event; returns the function that unsubscribes. */
export type EventSubscriber = <E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void) => () => void

/** Whether pushed events can arrive now (the browser-mode socket may be down and reconnecting). */
export type EventLinkState = 'connecting' | 'open' | 'closed'

interface EventTransport {
  on: EventSubscriber
  /** Calls `listener` now and on every change of the link; returns the function that unsubscribes. */
  watchLink(listener: (state: EventLinkState) => void): () => void
}

function isEventName(value: unknown): value is ApiEventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(apiEvents, value)
}

/** Parses an event's payload with its schema; undefined (and a warning) when it does not match. */
function parseEvent<E extends ApiEventName>(event: E, payload: unknown): ApiEventPayload<E> | undefined {
  const result = apiEvents[event].safeParse(payload)
  if (result.success) return result.data as ApiEventPayload<E>
  console.warn(`the workbench sent an unexpected ${event} event: ${result.error.issues[0]?.message ?? 'invalid'}`)
  return undefined
}

/** Electron: the preload forwards IPC events; the link is always up. */
function ipcEvents(bridge: WorkbenchBridge): EventTransport {
  return {
    on(event, listener) {
      return bridge.on(event, (payload) => {
        const parsed = parseEvent(event, payload)
        if (parsed !== undefined) listener(parsed)
      })
    },
    watchLink(listener) {
      listener('open')
      return () => undefined
    },
  }
}

/**
 * Browser mode: one WebSocket at /api/events, opened while anything listens and reopened (with a growing
 * pause) when it drops. The cookie set on page load carries the token; the query repeats it when the page
 * URL had it.
 */
function socketEvents(token: string | null): EventTransport {
  const listeners = new Map<ApiEventName, Set<(payload: never) => void>>()
  const linkListeners = new Set<(state: EventLinkState) => void>()
  let socket: WebSocket | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let pauseMs = 500
  let link: EventLinkState = 'closed'

  const setLink = (state: EventLinkState): void => {
    link = state
    for (const l of [...linkListeners]) l(state)
  }
  const listening = (): boolean => [...listeners.values()].some((set) => set.size > 0)

  function deliver(data: unknown): void {
    if (typeof data !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null) return
    const { event, payload } = message as { event?: unknown; payload?: unknown }
    if (!isEventName(event)) return
    const set = listeners.get(event)
    if (!set || set.size === 0) return
    const parsed = parseEvent(event, payload)
    if (parsed === undefined) return
    for (const listener of [...set]) (listener as (p: typeof parsed) => void)(parsed)
  }

  function open(): void {
    if (socket || !listening()) return
    const url = new URL('/api/events', window.location.href)
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
    if (token) url.searchParams.set('token', token)
    setLink('connecting')
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      pauseMs = 500
      setLink('open')
    }
    ws.onmessage = (e: MessageEvent) => deliver(e.data)
    ws.onclose = () => {
      if (socket !== ws) return
      socket = undefined
      setLink('closed')
      if (listening()) {
        retry = setTimeout(() => {
          retry = undefined
          open()
        }, pauseMs)
        pauseMs = Math.min(pauseMs * 2, 10_000)
      }
    }
  }

  function closeWhenIdle(): void {
    if (listening()) return
    clearTimeout(retry)
    retry = undefined
    const ws = socket
    socket = undefined
    ws?.close()
    setLink('closed')
  }

  return {
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const entry = listener as (payload: never) => void
      set.add(entry)
      open()
      return () => {
        set.delete(entry)
        closeWhenIdle()
      }
    },
    watchLink(listener) {
      linkListeners.add(listener)
      listener(link)
      return () => {
        linkListeners.delete(listener)
      }
    },
  }
}

const eventTransport: EventTransport =
  typeof window !== 'undefined' && window.workbench
    ? ipcEvents(window.workbench)
    : socketEvents(typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('token'))

/** Subscribes to a pushed event (training progress…) whatever carries it; returns the unsubscribe function. */
export const on: EventSubscriber = (event, listener) => eventTransport.on(event, listener)

/** Watches whether pushed events can arrive now; returns the unsubscribe function. */
export const watchEventLink = (listener: (state: EventLinkState) => void): (() => void) => eventTransport.watchLink(listener)
