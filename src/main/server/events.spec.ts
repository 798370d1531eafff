import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ApiEventMessage } from '../../shared/api'
import type { TrainProgress } from '../../shared/training'
import { createEventHub, type EventHub } from '../app/event-hub'
import { fakeHandlers } from '../test-support/fake-handlers'
import { tokenCookieName } from './access'
import { startServer, type RunningServer } from './server'

const progress: TrainProgress = {
  runId: 7, phase: 'training', step: 3, steps: 10, loss: 0.5, lr: 1e-3, stepsPerSecond: 2, etaSeconds: 3.5, annotatedFraction: null,
}

let hub: EventHub
let server: RunningServer
beforeAll(async () => {
  hub = createEventHub()
  server = await startServer({ handlers: fakeHandlers({}), rendererDir: tmpdir(), events: hub, token: 'events-test-token-0123456789' })
})
afterAll(() => server.close())

/** Opens a socket; resolves when it is open, rejects with the HTTP status when the handshake is refused. */
function connect(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers })
    ws.once('open', () => done(ws))
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate()
      fail(new Error(`status ${res.statusCode}`))
    })
    ws.once('error', fail)
  })
}

function nextMessage(ws: WebSocket): Promise<ApiEventMessage> {
  return new Promise((done) => ws.once('message', (data) => done(JSON.parse(String(data)) as ApiEventMessage)))
}

describe('the event socket', () => {
  it('carries emitted events to a client holding the token (query, cookie or header)', async () => {
    const clients = [
      await connect(`/api/events?token=${server.token}`),
      await connect('/api/events', { cookie: `${tokenCookieName(server.port)}=${server.token}` }),
      await connect('/api/events', { 'x-workbench-token': server.token, origin: `http://127.0.0.1:${server.port}` }),
    ]
    // The server subscribes in the same tick it answers the handshake, so 'open' means subscribed.
    const received = clients.map((ws) => nextMessage(ws))
    hub.emit('training', progress)
    for (const message of await Promise.all(received)) expect(message).toEqual({ event: 'training', payload: progress })
    for (const ws of clients) ws.close()
  })

  it('refuses a handshake without the token, with a wrong one, from a foreign origin or host, or on another path', async () => {
    await expect(connect('/api/events')).rejects.toThrow('status 403')
    await expect(connect('/api/events?token=not-the-token-at-all')).rejects.toThrow('status 403')
    await expect(connect(`/api/events?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow('status 403')
    await expect(connect(`/api/events?token=${server.token}`, { host: `evil.example:${server.port}` })).rejects.toThrow('status 403')
    await expect(connect(`/api/other?token=${server.token}`)).rejects.toThrow('status 404')
  })

  it('refuses to emit a payload that breaks its schema', () => {
    expect(() => hub.emit('training', { ...progress, step: 1.5 })).toThrow()
  })

  it('closes its connections when the server closes', async () => {
    const other = await startServer({ handlers: fakeHandlers({}), rendererDir: tmpdir(), events: hub, token: 'events-test-token-abcdefghij' })
    const direct = await new Promise<WebSocket>((done, fail) => {
      const s = new WebSocket(`ws://127.0.0.1:${other.port}/api/events?token=${other.token}`)
      s.once('open', () => done(s))
      s.once('error', fail)
    })
    const closed = new Promise<void>((done) => direct.once('close', () => done()))
    await other.close()
    await closed
    expect(direct.readyState).toBe(WebSocket.CLOSED)
  })
})
