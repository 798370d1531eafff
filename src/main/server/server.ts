// Browser mode: the same typed API as Electron IPC, over HTTP on loopback, plus the built renderer.
// Plain node:http. Every request needs the session token; see access.ts for who may connect.
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { isApiChannel, type ApiHandlers } from '../../shared/api'
import { isBinaryChannel } from '../../shared/inspect'
import { rendererCsp } from '../ipc/csp'
import { dispatch, type DispatchFailure } from '../ipc/dispatch'
import { errorLogPath, needsTrace, reportError, userLine } from '../app/error-log'
import { allowedHostHeaders, findValidToken, isLoopbackHost, tokenCookieName } from './access'
import { sendBinaryReply } from './binary-reply'
import type { EventFeed } from '../app/event-hub'
import { attachEventSocket } from './events'
import { contentTypeOf, resolveStatic } from './static-files'

/** Options of startServer. */
export interface StartServerOptions {
  handlers: ApiHandlers
  /** The built renderer (out/renderer), served as static files. */
  rendererDir: string
  /** 0 or absent: a free port picked by the system. */
  port?: number
  /** Loopback only: 127.0.0.1 (default), localhost or ::1. */
  host?: string
  /** Defaults to 32 random bytes in hex. */
  token?: string
  /** Pushed events (training progress), served on the WebSocket at /api/events; absent = no event socket. */
  events?: EventFeed
  /** Largest API body in bytes (default 1 MiB); tests lower it. */
  maxBodyBytes?: number
  /**
   * The error log that unexpected errors' traces are appended to (replies carry one line); absent = the
   * workspace's log, as app:info names the workspace.
   */
  errorLog?: string
}

/** A running browser-mode server. */
export interface RunningServer {
  /** The page to open, token included: http://127.0.0.1:PORT/?token=… */
  url: string
  token: string
  port: number
  close(): Promise<void>
}

/** Largest JSON body the API accepts by default; API inputs are names and options, never voxel data. */
const defaultMaxBodyBytes = 1024 * 1024

const statusOfFailure: Record<DispatchFailure, number> = { 'bad-input': 400, 'input-error': 422, internal: 500 }

const forbiddenMessage =
  'Forbidden: this workbench server needs its access token. Open the URL that `workbench serve` printed.\n'

/** Starts the browser-mode server on loopback and resolves once it listens. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1'
  if (!isLoopbackHost(host)) {
    throw new Error(`refusing to listen on "${host}": browser mode only listens on loopback (127.0.0.1, localhost or ::1)`)
  }
  const token = opts.token ?? randomBytes(32).toString('hex')
  if (token.length < 16) throw new Error('the access token must be at least 16 characters long')
  const rendererDir = resolve(opts.rendererDir)
  const bindHost = host === 'localhost' ? '127.0.0.1' : host === '[::1]' ? '::1' : host
  const bodyLimit = opts.maxBodyBytes ?? defaultMaxBodyBytes

  // Unexpected errors: one line for the client and the console, the trace to the workspace's error log.
  let errorLog: Promise<string | undefined> | undefined
  const errorLogFile = (): Promise<string | undefined> =>
    (errorLog ??= opts.errorLog !== undefined
      ? Promise.resolve(opts.errorLog)
      : opts.handlers['app:info']({}).then((info) => errorLogPath(info.workspace), () => undefined))
  const report = async (err: unknown): Promise<string> => {
    const { line, logged } = reportError(err, 'server', await errorLogFile())
    return logged ? `${line} (trace in ${logged})` : line
  }
  // The handlers as dispatch sees them: an unexpected error leaves as its one line, after its trace is logged.
  const handlers = new Proxy(opts.handlers, {
    get(target, key, receiver) {
      const handler: unknown = Reflect.get(target, key, receiver)
      if (typeof handler !== 'function') return handler
      return async (input: unknown) => {
        try {
          return await (handler as (i: unknown) => Promise<unknown>).call(target, input)
        } catch (err) {
          if (!needsTrace(err)) throw err
          const where = await report(err)
          console.error(`workbench server: ${typeof key === 'string' ? key : 'a call'} failed: ${where}`)
          throw new Error(userLine(err))
        }
      }
    },
  })

  let port = 0
  let allowedHosts = new Set<string>()
  const server = createServer((req, res) => {
    handle(req, res).catch(async (err: unknown) => {
      console.error(`workbench server: unexpected error: ${await report(err)}`)
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' })
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a hostile page whose name resolves to 127.0.0.1 still sends its own name as Host.
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      return sendText(res, 403, 'Forbidden: unexpected Host header; the workbench answers only on its loopback address.\n')
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    const tokenSource = findValidToken(req, url, token, port)
    if (!tokenSource) return sendText(res, 403, forbiddenMessage)
    if (tokenSource === 'query') {
      // The page load carries ?token=; its assets and API calls then ride on this cookie.
      res.setHeader(
        'Set-Cookie',
        `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
      )
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return handleApi(req, res, url)
    return handleStatic(req, res, url)
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const origin = req.headers.origin
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
      return sendText(res, 403, 'Forbidden: cross-origin API call refused.\n')
    }
    let channel: string
    try {
      channel = decodeURIComponent(url.pathname.slice('/api/'.length))
    } catch {
      channel = url.pathname
    }
    if (!isApiChannel(channel)) return sendJson(res, 404, { error: `unknown API channel "${channel}"` })
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return sendJson(res, 405, { error: `${channel} takes POST with a JSON body` })
    }
    const type = req.headers['content-type'] ?? ''
    if (!/^application\/json\b/i.test(type)) {
      return sendJson(res, 415, { error: 'send the body as JSON with Content-Type: application/json' })
    }
    // A declared length over the limit is refused before reading a byte of it.
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared > bodyLimit) return refuseTooLarge(req, res, bodyLimit)
    const body = await readBody(req, bodyLimit)
    if (body === undefined) return refuseTooLarge(req, res, bodyLimit)
    let raw: unknown = {}
    if (body.trim() !== '') {
      try {
        raw = JSON.parse(body)
      } catch (err) {
        return sendJson(res, 400, { error: `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` })
      }
    }
    const outcome = await dispatch(handlers, channel, raw)
    if (outcome.ok) return isBinaryChannel(channel) ? sendBinaryReply(res, outcome.value) : sendJson(res, 200, outcome.value)
    return sendJson(res, statusOfFailure[outcome.kind], outcome.error)
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return sendText(res, 405, 'Method not allowed.\n')
    }
    // The raw path, not url.pathname: the URL parser already folds "/../", and we want to see (and refuse) it.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
    const target = await resolveStatic(rendererDir, rawPath)
    if (target.kind === 'bad-path') return sendText(res, 400, 'Bad request: that path is not allowed.\n')
    if (target.kind === 'not-found') return sendText(res, 404, 'Not found.\n')
    const type = contentTypeOf(target.path)
    res.statusCode = 200
    res.setHeader('Content-Type', type)
    res.setHeader('Content-Length', target.size)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    // The page URL carries the token: never send it onwards as a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cache-Control', 'no-cache')
    if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', rendererCsp)
    if (req.method === 'HEAD') return void res.end()
    await new Promise<void>((done, fail) => {
      const stream = createReadStream(target.path)
      stream.on('error', fail)
      res.on('close', () => {
        stream.destroy()
        done()
      })
      stream.pipe(res)
    })
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', fail)
      done()
    })
  })
  port = (server.address() as AddressInfo).port
  allowedHosts = allowedHostHeaders(port)
  const eventSocket = opts.events ? attachEventSocket(server, { events: opts.events, token, port, allowedHosts }) : undefined
  const urlHost = bindHost === '::1' ? '[::1]' : '127.0.0.1'

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    token,
    port,
    close: () => {
      eventSocket?.close()
      return closeServer(server)
    },
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done, fail) => {
    server.close((err) => (err ? fail(err) : done()))
    server.closeAllConnections()
  })
}

/**
 * Reads a request body as UTF-8; undefined as soon as it passes `limit` bytes: reading stops there, the rest of
 * the body is never read (the caller answers 413 and closes the connection).
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      req.off('data', onData)
      req.off('end', onEnd)
      req.pause()
      done(undefined)
    }
    const onEnd = (): void => done(Buffer.concat(chunks).toString('utf8'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', fail)
  })
}

/** Answers 413 in one line and closes the connection, so the rest of an oversized body is never read. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  res.setHeader('Connection', 'close')
  res.on('finish', () => req.socket.destroy())
  sendJson(res, 413, { error: `the body is larger than ${limit} bytes` })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.end(text)
}
