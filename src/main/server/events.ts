// Browser mode's event channel: one WebSocket at /api/events that carries the pushed API events (training
// progress) as JSON text frames { event, payload }. The handshake passes the same door as HTTP: our own
// loopback Host, no foreign Origin, and the session token (cookie, query or header).
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ApiEventMessage } from '../../shared/api'
import type { EventFeed } from '../app/event-hub'
import { findValidToken } from './access'

/** The path of the event socket. */
export const eventSocketPath = '/api/events'

/** A client that is this far behind (bytes queued) misses progress events until it catches up. */
const maxBufferedBytes = 1024 * 1024

export interface EventSocketOptions {
  events: EventFeed
  token: string
  port: number
  /** Host header values (and Origin hosts) that name this server. */
  allowedHosts: ReadonlySet<string>
}

/** The event socket attached to a server; close() ends every connection and detaches it. */
export interface EventSocket {
  /** Open connections. */
  clients(): number
  close(): void
}

/** Why a handshake is refused, or undefined when it may proceed. */
export function refuseHandshake(req: IncomingMessage, opts: Omit<EventSocketOptions, 'events'>): { status: number; message: string } | undefined {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${opts.port}`)
  if (url.pathname !== eventSocketPath) return { status: 404, message: `Not found: the event socket is ${eventSocketPath}.` }
  if (!opts.allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
    return { status: 403, message: 'Forbidden: unexpected Host header; the workbench answers only on its loopback address.' }
  }
  const origin = req.headers.origin
  // A page from elsewhere must not read our events even if the browser would send the cookie.
  if (origin !== undefined && !opts.allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
    return { status: 403, message: 'Forbidden: cross-origin event socket refused.' }
  }
  if (!findValidToken(req, url, opts.token, opts.port)) {
    return { status: 403, message: 'Forbidden: this workbench server needs its access token.' }
  }
  return undefined
}

function reject(socket: Duplex, status: number, message: string): void {
  const reason = status === 404 ? 'Not Found' : 'Forbidden'
  const body = `${message}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

/** Serves the event socket on `server`'s upgrade requests. */
export function attachEventSocket(server: Server, opts: EventSocketOptions): EventSocket {
  // Clients only listen; anything they send is dropped, and a large frame closes the connection.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false })
  const open = new Set<WebSocket>()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = refuseHandshake(req, opts)
    if (refusal) return reject(socket, refusal.status, refusal.message)
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws)
      const unsubscribe = opts.events.subscribe((message: ApiEventMessage) => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > maxBufferedBytes) return
        ws.send(JSON.stringify(message))
      })
      ws.on('close', () => {
        unsubscribe()
        open.delete(ws)
      })
      ws.on('error', () => ws.terminate())
    })
  }
  server.on('upgrade', onUpgrade)

  return {
    clients: () => open.size,
    close() {
      server.off('upgrade', onUpgrade)
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const ws of open) ws.terminate()
      open.clear()
      wss.close()
    },
  }
}
